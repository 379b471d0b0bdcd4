// Joins a Hearth room from Debian's firefox-esr, driven over WebDriver BiDi
// by puppeteer-core (no geckodriver needed). Used by cmd/hearth's
// cross-browser test:
//
//   node join.mjs JOIN_URL NAME PEER_NAME
//
// Prints "joined" once in the room, then "sees-and-hears" once PEER_NAME's
// video decodes and its audio packets arrive, then stays until stdin closes,
// leaves and exits. Any failure prints "error: ..." and exits 1.
import puppeteer from "puppeteer-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, name, peer] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-firefox-"));

async function waitFor(page, fn, arg, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out: ${fn.toString().slice(0, 80)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: "/usr/bin/firefox-esr",
  headless: true,
  userDataDir: profile,
  extraPrefsFirefox: {
    "media.navigator.streams.fake": true,
    "media.navigator.permission.disabled": true,
    "media.peerconnection.ice.loopback": true,
    "media.autoplay.default": 0,
    "media.autoplay.block-webaudio": false,
    "media.autoplay.blocking_policy": 0,
    "network.proxy.type": 0,
  },
});
try {
  const page = await browser.newPage();
  // Test-side instrumentation: remember the page's peer connections so
  // their statistics can be read.
  await page.evaluateOnNewDocument(() => {
    const Native = window.RTCPeerConnection;
    window.hearthPCs = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      window.hearthPCs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
  });
  await page.goto(url);
  await page.evaluate((n) => {
    document.getElementById("name").value = n;
    const r = document.querySelector("input[name=mode][value=video]");
    r.checked = true;
    r.dispatchEvent(new Event("change"));
  }, name);
  await new Promise((r) => setTimeout(r, 500));
  // A real (trusted) click: it is the user activation that lets the page
  // play sound, as a member's own click does.
  await page.click("#join-button");
  await waitFor(page, () => !document.getElementById("room").hidden, null, 20000);
  console.log("joined");
  await waitFor(page, (p) => {
    const f = [...document.querySelectorAll("#grid figure.tile")].find((x) => x.getAttribute("aria-label") === p);
    return !!f && f.querySelector("video").videoWidth > 0;
  }, peer, 20000);
  // Audio: headless Firefox here has no sound device, so Web Audio stays
  // suspended; the receiver's RTP statistics show the audio arriving instead.
  await waitFor(page, async () => {
    let packets = 0;
    for (const pc of window.hearthPCs || []) {
      const stats = await pc.getStats();
      stats.forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "audio") packets += r.packetsReceived || 0; });
    }
    window.hearthPeak = packets;
    return packets > 50;
  }, null, 20000);
  console.log("sees-and-hears");
  await new Promise((r) => { process.stdin.on("end", r); process.stdin.on("close", r); process.stdin.resume(); });
  await page.evaluate(() => document.getElementById("btn-leave").click()).catch(() => {});
} catch (e) {
  const pages = await browser.pages().catch(() => []);
  const peak = pages.length ? await pages[pages.length - 1].evaluate(() => window.hearthPeak).catch(() => "?") : "?";
  console.log(`error: ${e.message.split("\n")[0]} (last audio measure ${peak})`);
  process.exitCode = 1;
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
