// crypto.getRandomValues for the reader core (PACE/BAC nonces) and the device id, before anything else.
import "react-native-get-random-values";
import { registerRootComponent } from "expo";
import App from "./src/App.tsx";

registerRootComponent(App);
