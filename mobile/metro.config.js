// Metro for the Kayle ID app. The portable reader core is imported from the repository
// (../phone/chip/, and the curve table it reads in ../verify/crypto/), not copied: Metro watches
// those folders and resolves the core's bare imports (@noble/*, des.js) from this app's own
// node_modules, so the core gets the versions pinned in package.json (the same as deno.json).
const path = require("path");
const { getDefaultConfig } = require("expo/metro-config");

const appRoot = __dirname;
const repoRoot = path.resolve(appRoot, "..");
const config = getDefaultConfig(appRoot);

config.watchFolders = [
  path.join(repoRoot, "phone", "chip"),
  path.join(repoRoot, "verify", "crypto"),
];
config.resolver.nodeModulesPaths = [path.join(appRoot, "node_modules")];
// A bare import from a file outside the app (the reader core) resolves as if made from the app.
const appEntry = path.join(appRoot, "index.ts");
config.resolver.resolveRequest = (context, moduleName, platform) => {
  const outside = !context.originModulePath.startsWith(appRoot + path.sep);
  const bare = !moduleName.startsWith(".") && !path.isAbsolute(moduleName);
  const from = outside && bare ? { ...context, originModulePath: appEntry } : context;
  return context.resolveRequest(from, moduleName, platform);
};
// Only the core's sources: never its tests, the emulator or the Deno-side node_modules.
config.resolver.blockList = [
  /.*_test\.ts$/,
  new RegExp(
    `${
      path.join(repoRoot, "phone", "chip", "emulator").replace(
        /[/\\]/g,
        "[/\\\\]",
      )
    }.*`,
  ),
  new RegExp(
    `${path.join(repoRoot, "node_modules").replace(/[/\\]/g, "[/\\\\]")}[/\\\\].*`,
  ),
];

module.exports = config;
