/**
 * ICAO Doc 9303-11 worked examples, replayed through the reader core: Appendix D (BAC key
 * derivation, mutual authentication, secure messaging D.4), Appendix G.1 (PACE-GM, ECDH on
 * brainpoolP256r1, AES-128) and G.2 (PACE-GM, DH on the 1024-bit MODP group, AES-128).
 * The values below are the appendix's, copied as constants so the test runs on a fresh clone.
 */
import assert from "node:assert/strict";
import { fromHex, toHex } from "./bytes.ts";
import { bacCryptogram, bacKeys, bacSession } from "./bac.ts";
import { parseCardAccess } from "./card_access.ts";
import { cbcZeroIv } from "./crypto.ts";
import { type Domain, mapGeneric, publicKey, sharedSecret, standardDomain } from "./domain.ts";
import { bacKeySeed, mrzInformation } from "./keys.ts";
import { authToken, passwordKey, sessionKeys } from "./pace.ts";
import { ChipReader } from "./reader.ts";
import { SecureMessaging } from "./sm.ts";

const hex = (h: string) => fromHex(h);
const D_KEY = {
  kind: "mrz",
  documentNumber: "L898902C",
  dateOfBirth: "690806",
  dateOfExpiry: "940623",
} as const;
const G_KEY = {
  kind: "mrz",
  documentNumber: "T22000129",
  dateOfBirth: "640812",
  dateOfExpiry: "101031",
} as const;

Deno.test("App. D.2: MRZ information, key seed and basic access keys", () => {
  assert.equal(mrzInformation(D_KEY), "L898902C<369080619406236");
  assert.equal(toHex(bacKeySeed(D_KEY)), "239ab9cb282daf66231dc5a4df6bfbae");
  const keys = bacKeys(D_KEY);
  assert.equal(toHex(keys.enc), "ab94fdecf2674fdfb9b391f85d7f76f2");
  assert.equal(toHex(keys.mac), "7962d9ece03d1acd4c76089dce131543");
  // D.2's second example: a 12-character document number.
  assert.equal(
    mrzInformation({
      ...D_KEY,
      documentNumber: "D23145890734",
      dateOfBirth: "340712",
      dateOfExpiry: "950712",
    }),
    "D23145890734934071279507122",
  );
});

Deno.test("App. D.3: EXTERNAL AUTHENTICATE cryptogram and session keys", () => {
  const keys = bacKeys(D_KEY);
  const cryptogram = bacCryptogram(
    keys,
    hex("781723860c06c226"),
    hex("4608f91988702212"),
    hex("0b795240cb7049b01c19b33e32804f0b"),
  );
  assert.equal(
    toHex(cryptogram),
    "72c29c2371cc9bdb65b779b8e8d37b29ecc154aa56a8799fae2f498f76ed92f25f1448eea8ad90a7",
  );
  const sm = bacSession(
    hex("0b795240cb7049b01c19b33e32804f0b"),
    hex("0b4f80323eb3191cb04970cb4052790b"),
    hex("4608f91988702212"),
    hex("781723860c06c226"),
  );
  assert.equal(toHex(sm.ssc), "887022120c06c226");
});

Deno.test("App. D.4: secure messaging — SELECT EF.COM, READ BINARY 4 and 18", () => {
  const sm = new SecureMessaging(
    "3DES",
    hex("979ec13b1cbfe9dcd01ab0fed307eae5"),
    hex("f1cb1f1fb5adf208806b89dc579dc1f8"),
    hex("887022120c06c226"),
  );
  const select = sm.wrap({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: hex("011e") });
  assert.equal(toHex(select), "0ca4020c158709016375432908c044f68e08bf8b92d635ff24f800");
  assert.deepEqual(sm.unwrap(hex("990290008e08fa855a5d4c50a8ed9000")), {
    data: new Uint8Array(0),
    sw: 0x9000,
  });
  assert.equal(
    toHex(sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 })),
    "0cb000000d9701048e08ed6705417e96ba5500",
  );
  const read4 = sm.unwrap(hex("8709019ff0ec34f9922651990290008e08ad55cc17140b2ded9000"));
  assert.equal(toHex(read4.data), "60145f01");
  assert.equal(
    toHex(sm.wrap({ cla: 0, ins: 0xb0, p1: 0, p2: 4, le: 0x12 })),
    "0cb000040d9701128e082ea28a70f3c7b53500",
  );
  const read18 = sm.unwrap(
    hex("871901fb9235f4e4037f2327dcc8964f1f9b8c30f42c8e2fff224a990290008e08c8b2787eaea07d749000"),
  );
  assert.equal(toHex(read18.data), "04303130365f36063034303030305c026175");
  // A flipped MAC bit is refused.
  const bad = hex("8709019ff0ec34f9922651990290008e08ad55cc17140b2ded9000");
  bad[bad.length - 3] ^= 1;
  assert.throws(() => sm.unwrap(bad), { code: "secure_messaging_failed" });
});

const G1_OID = "0.4.0.127.0.7.2.2.4.2.2";

Deno.test("App. G.1: PACE-GM ECDH brainpoolP256r1 AES-128 step by step", () => {
  const kpi = passwordKey(G_KEY, "AES-128");
  assert.equal(toHex(kpi), "89ded1b26624ec1e634c1989302849dd");
  const nonce = cbcZeroIv("AES-128", kpi, hex("95a3a016522ee98d01e76cb6b98b42c3"), "decrypt");
  assert.equal(toHex(nonce), "3f00c4d39d153f2b2a214a078d899b22");
  const domain = standardDomain(13)!;
  const skMap = BigInt("0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99");
  assert.equal(
    toHex(publicKey(domain, skMap)),
    "047acf3efc982ec45565a4b155129efbc74650dcbfa6362d896fc70262e0c2cc5e544552dcb6725218799115b55c9baa6d9f6bc3a9618e70c25af71777a9c4922d",
  );
  const pkMapIc = hex(
    "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54",
  );
  const mapped = mapGeneric(domain, nonce, skMap, pkMapIc) as Extract<Domain, { kind: "ec" }>;
  assert.equal(
    toHex(mapped.G.toBytes(false)),
    "048ced63c91426d4f0eb1435e7cb1d74a46723a0af21c89634f65a9ae87a9265e28c879506743f8611ac33645c5b985c80b5f09a0b83407c1b6a4d857ae76fe522",
  );
  const skEph = BigInt("0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
  const pkIfd = publicKey(mapped, skEph);
  assert.equal(
    toHex(pkIfd),
    "042db7a64c0355044ec9df190514c625cba2cea48754887122f3a5ef0d5edd301c3556f3b3b186df10b857b58f6a7eb80f20ba5dc7be1d43d9bf850149fbb36462",
  );
  const pkIc = hex(
    "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
  );
  const secret = sharedSecret(mapped, skEph, pkIc);
  assert.equal(toHex(secret), "28768d20701247dae81804c9e780ede582a9996db4a315020b2733197db84925");
  const keys = sessionKeys("AES-128", secret);
  assert.equal(toHex(keys.enc), "f5f0e35c0d7161ee6724ee513a0d9a7f");
  assert.equal(toHex(keys.mac), "fe251c7858b356b24514b3bd5f4297d1");
  assert.equal(toHex(authToken("AES-128", keys.mac, G1_OID, mapped, pkIc)), "c2b0bd78d94ba866");
  assert.equal(toHex(authToken("AES-128", keys.mac, G1_OID, mapped, pkIfd)), "3abb9674bce93c08");
});

Deno.test("App. G.1: the reader replays the worked example's APDUs byte for byte", async () => {
  const script: Array<[string, string]> = [
    ["00b09c0000", "31143012060a04007f0007020204020202010202010d9000"],
    ["0022c1a40f800a04007f00070202040202830101", "9000"],
    ["10860000027c0000", "7c12801095a3a016522ee98d01e76cb6b98b42c39000"],
    [
      "10860000457c438141047acf3efc982ec45565a4b155129efbc74650dcbfa6362d896fc70262e0c2cc5e544552dcb6725218799115b55c9baa6d9f6bc3a9618e70c25af71777a9c4922d00",
      "7c43824104824fba91c9cbe26bef53a0ebe7342a3bf178cea9f45de0b70aa601651fba3f5730d8c879aaa9c9f73991e61b58f4d52eb87a0a0c709a49dc63719363ccd13c549000",
    ],
    [
      "10860000457c438341042db7a64c0355044ec9df190514c625cba2cea48754887122f3a5ef0d5edd301c3556f3b3b186df10b857b58f6a7eb80f20ba5dc7be1d43d9bf850149fbb3646200",
      "7c438441049e880f842905b8b3181f7af7caa9f0efb743847f44a306d2d28c1d9ec65df6db7764b22277a2eddc3c265a9f018f9cb852e111b768b326904b59a0193776f0949000",
    ],
    ["008600000c7c0a8508c2b0bd78d94ba86600", "7c0a86083abb9674bce93c089000"],
  ];
  const keys = [
    "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
    "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
  ];
  let step = 0;
  const mismatches: string[] = [];
  const reader = new ChipReader({
    transceive(command) {
      // After PACE the reader selects the eMRTD application under SM; the script ends there.
      if (step >= script.length) {
        step++;
        return Promise.resolve(hex("6a82"));
      }
      const [expected, response] = script[step++];
      if (toHex(command) !== expected) mismatches.push(`APDU ${step}: ${toHex(command)}`);
      return Promise.resolve(hex(response));
    },
  }, { random: () => hex(keys.shift()!), maxRecoveries: 0 });
  // The SELECT of the eMRTD application under the new SM keys gets 6A82 here.
  await assert.rejects(reader.open(G_KEY), { code: "unsupported_chip" });
  assert.deepEqual(mismatches, []);
  assert.equal(step, script.length + 1);
  assert.equal(parseCardAccess(hex(script[0][1].slice(0, -4))).pace[0].parameterId, 13);
});

Deno.test("App. G.2: PACE-GM DH (1024-bit MODP group, id 0) AES-128 step by step", () => {
  const kpi = passwordKey(G_KEY, "AES-128");
  const nonce = cbcZeroIv("AES-128", kpi, hex("854d8df5827fa6852d1a4fa701cdddca"), "decrypt");
  assert.equal(toHex(nonce), "fa5b7e3e49753a0db9178b7b9bd898c8");
  const domain = standardDomain(0)!;
  const xMap = BigInt("0x5265030F751F4AD18B08AC565FC7AC952E41618D");
  assert.equal(
    toHex(publicKey(domain, xMap)).toUpperCase(),
    "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C",
  );
  const yMap = hex(
    "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6",
  );
  const mapped = mapGeneric(domain, nonce, xMap, yMap) as Extract<Domain, { kind: "dh" }>;
  assert.equal(
    mapped.g.toString(16).toUpperCase(),
    "7C9CBFE98F9FBDDA8D143506FA7D9306F4CB17E3C71707AFF5E1C1A12370249684D64EE37AF44B8DBD9D45BF6023919CBAA027AB97ACC771666C8E98FF483301BFA4872DEDE9034EDFACB70814166B7F360676829B826BEA57291B5AD69FBC84EF1E779032A305803F74341793E869742D401325B37EE8565FFCDEE618342DC5",
  );
  const xEph = BigInt("0x89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA");
  const pkIfd = publicKey(mapped, xEph);
  assert.equal(
    toHex(pkIfd).toUpperCase(),
    "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4",
  );
  const pkIc = hex(
    "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1",
  );
  const secret = sharedSecret(mapped, xEph, pkIc);
  assert.equal(
    toHex(secret).toUpperCase(),
    "6BABC7B3A72BCD7EA385E4C62DB2625BD8613B24149E146A629311C4CA6698E38B834B6A9E9CD7184BA8834AFF5043D436950C4C1E7832367C10CB8C314D40E5990B0DF7013E64B4549E2270923D06F08CFF6BD3E977DDE6ABE4C31D55C0FA2E465E553E77BDF75E3193D3834FC26E8EB1EE2FA1E4FC97C18C3F6CFFFE2607FD",
  );
  const keys = sessionKeys("AES-128", secret);
  assert.equal(toHex(keys.enc), "2f7f46adcc9e7e521b45d192fafa9126");
  assert.equal(toHex(keys.mac), "805a1d27d45a5116f73c54469462b7d8");
  const oid = "0.4.0.127.0.7.2.2.4.1.2";
  assert.equal(toHex(authToken("AES-128", keys.mac, oid, mapped, pkIc)), "b46dd9bd4d98381f");
  assert.equal(toHex(authToken("AES-128", keys.mac, oid, mapped, pkIfd)), "917f37b5c0e6d8d1");
});

Deno.test("App. H.1: PACE-IM ECDH brainpoolP256r1 — R_p(s, t) and the point encoding", async () => {
  const { integratedMappingPrf } = await import("./crypto.ts");
  const { mapIntegrated } = await import("./domain.ts");
  const s = hex("2923BE84E16CD6AE529049F1F1BBE9EB");
  const t = hex("5DD4CBFC96F5453B130D890A1CDBAE32");
  const domain = standardDomain(13) as Extract<Domain, { kind: "ec" }>;
  const r = integratedMappingPrf("AES-128", s, t, 256);
  assert.equal(
    toHex(r).toUpperCase(),
    "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322",
  );
  const x = BigInt(`0x${toHex(r)}`) % domain.p;
  assert.equal(
    x.toString(16).toUpperCase(),
    "A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E",
  );
  const mapped = mapIntegrated(domain, x) as Extract<Domain, { kind: "ec" }>;
  assert.equal(
    toHex(mapped.G.toBytes(false)).toUpperCase(),
    "04" + "8E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427" +
      "4C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD",
  );
});

Deno.test("App. H.2: PACE-IM DH (1024-bit MODP group) — R_p(s, t) and ĝ", async () => {
  const { integratedMappingPrf } = await import("./crypto.ts");
  const { mapIntegrated } = await import("./domain.ts");
  const domain = standardDomain(0) as Extract<Domain, { kind: "dh" }>;
  const r = integratedMappingPrf(
    "AES-128",
    hex("FA5B7E3E49753A0DB9178B7B9BD898C8"),
    hex("B3A6DB3C870C3E99245E0D1C06B747DE"),
    1024,
  );
  const x = BigInt(`0x${toHex(r)}`) % domain.p;
  assert.equal(
    x.toString(16).toUpperCase(),
    "A0C7C50C002061A51CC87D254EF38068607417B6EE1B36473CFB800D2D2E5FA2B6980F01105D24FAB22ACD1BFA5C8A4C093ECDFAFE6D7125D42A843E338603835CF19AFAFF75EFE21DC5F6AA1F9AE46C25087E7368166FB08C1E4627AFED7D93570417B790FF7F747E57F432B04E1236819E0DFEF5B6E77CA4999925328182D2",
  );
  const mapped = mapIntegrated(domain, x) as Extract<Domain, { kind: "dh" }>;
  assert.equal(
    mapped.g.toString(16).toUpperCase(),
    "1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F976852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2",
  );
});
