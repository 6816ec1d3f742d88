/** The app's configuration from app.json (`expo.extra.kayle`, see mobile/README.md). */
import Constants from "expo-constants";
import { type AppConfig, configFromExtra } from "../logic/config.ts";

/** The configuration the app was built with. */
export const appConfig: AppConfig = configFromExtra(
  Constants.expoConfig?.extra,
  `kayle-mobile/${Constants.expoConfig?.version ?? "0"}`,
);
