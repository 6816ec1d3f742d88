// des.js ships no types; the reader core (phone/chip/crypto.ts) uses its DES/EDE CBC/ECB API.
// deno-lint-ignore no-explicit-any
declare const des: any;
export default des;
