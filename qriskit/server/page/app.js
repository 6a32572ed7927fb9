// Kasir QRIS: the cashier's page of `qriskit serve`. Everything is decided by the server
// (/v1/info reads a code or a picture, /v1/convert applies the library's amount rule);
// this script only shows the results. No external resources: it works offline.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { payload: null, info: null, key: sessionStorage.getItem("qriskit-key") || "", camera: null };

  // ------------------------------------------------------------------ server calls

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
    }
  }

  async function call(path, body) {
    const headers = {};
    if (state.key) headers["X-API-Key"] = state.key;
    let payload = body;
    if (!(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method: "POST", headers, body: payload });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) askKey();
    if (!response.ok || !data || data.success === false) throw new ApiError(response.status, data);
    return data;
  }

  function askKey() {
    $("key-box").hidden = false;
    $("key").focus();
  }

  $("key-save").addEventListener("click", () => {
    state.key = $("key").value.trim();
    sessionStorage.setItem("qriskit-key", state.key);
    $("key-box").hidden = true;
    showMessage("Kunci disimpan untuk sesi ini. Coba lagi.", true);
  });

  // What a cashier reads for the server's stable problem codes; the server's own (English)
  // words follow in small print for whoever supports the counter.
  const WORDS = [
    ["crc.", "Kode rusak atau salah ketik: angka pemeriksa (CRC) tidak cocok."],
    ["tlv.", "Susunan kode rusak (terpotong atau salah salin)."],
    ["emv.first", "Ini bukan kode QRIS (kode QRIS diawali 000201)."],
    ["input.empty", "Kodenya kosong."],
    ["image.no_qr", "Tidak ada kode QR pembayaran di gambar ini. Coba foto yang lebih dekat dan terang."],
    ["limit.", "Gambar atau permintaan terlalu besar."],
    ["http.media_type", "Jenis gambar tidak didukung: pakai PNG, JPEG, GIF atau WebP."],
    ["image.", "Gambar tidak bisa dibaca."],
    ["amount.", "Nominal ditolak. Tulis angka saja, misalnya 15000 atau 15000.50."],
    ["auth.", "Kunci API salah atau belum diisi."],
  ];

  function explain(code, detail) {
    const hit = WORDS.find(([prefix]) => (code || "").startsWith(prefix));
    const out = document.createDocumentFragment();
    out.append(hit ? hit[1] : detail);
    if (hit && detail) {
      const small = document.createElement("small");
      small.className = "detail";
      small.textContent = `${code}: ${detail}`;
      out.append(small);
    }
    return out;
  }

  function showMessage(text, good, code) {
    const box = $("message");
    if (!text) { box.hidden = true; box.textContent = ""; return; }
    box.replaceChildren(code ? explain(code, text) : text);
    box.className = "message" + (good ? " ok" : "");
    box.hidden = false;
  }

  // ------------------------------------------------------------------ amounts

  // Indonesian grouping of the typed text, digit by digit (never through a float):
  // "1500000" -> "1.500.000", "15000.50" -> "15.000,50". Returns null for anything else.
  function grouped(text) {
    const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
    if (!m) return null;
    const whole = m[1].replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return m[2] ? `${whole},${m[2]}` : whole;
  }

  function showAmount() {
    const text = $("amount").value.trim();
    const view = $("amount-view");
    $("amount-error").textContent = "";
    if (!text) { view.textContent = "Rp 0"; view.classList.add("muted"); return; }
    const g = grouped(text);
    view.classList.toggle("muted", g === null);
    view.textContent = g === null ? "Rp ?" : `Rp ${g}`;
    if (g === null) {
      $("amount-error").textContent = "Tulis angka saja, misalnya 15000 (tanpa titik pemisah ribuan).";
    } else if (/^\d{1,3}(\.\d{3})+$/.test(text)) {
      $("amount-error").textContent = "Titik dibaca sebagai desimal. Untuk lima belas ribu, tulis 15000.";
    }
  }

  $("amount").addEventListener("input", showAmount);
  $("amount").addEventListener("keydown", (e) => { if (e.key === "Enter" && !$("convert").disabled) convert(); });

  // ------------------------------------------------------------------ the store's code

  function tab(name) {
    for (const t of ["paste", "upload", "camera"]) {
      $(`tab-${t}`).setAttribute("aria-selected", String(t === name));
      $(`pane-${t}`).hidden = t !== name;
    }
    if (name === "camera") startCamera(); else stopCamera();
  }
  $("tab-paste").addEventListener("click", () => tab("paste"));
  $("tab-upload").addEventListener("click", () => tab("upload"));
  $("tab-camera").addEventListener("click", () => tab("camera"));

  function acquirers(info) {
    const names = (info.acquirers || []).map((a) => a.name || a.guid).filter(Boolean);
    return names.length ? names.join(", ") : "–";
  }

  function showCode(payload, info) {
    state.payload = info.readable ? payload : null;
    state.info = info;
    $("merchant").hidden = false;
    const merchant = info.merchant || {};
    $("m-name").textContent = merchant.name || "(tanpa nama)";
    $("m-city").textContent = [merchant.city, merchant.postal_code].filter(Boolean).join(" ");
    $("m-nmid").textContent = info.nmid || "–";
    $("m-acq").textContent = acquirers(info);
    $("m-kind").textContent = info.kind === "dynamic" ? "Dinamis" : info.kind === "static" ? "Statis" : "–";
    const notice = $("m-notice");
    notice.hidden = false;
    notice.replaceChildren();
    if (!info.valid) {
      notice.className = "notice bad";
      notice.append("Kode ini tidak valid dan tidak bisa dipakai:");
      const list = document.createElement("ul");
      for (const p of info.errors || []) {
        const li = document.createElement("li");
        li.append(explain(p.code, p.message));
        list.append(li);
      }
      notice.append(list);
      state.payload = null;
    } else if (info.kind === "dynamic") {
      const g = info.amount ? grouped(info.amount) : null;
      notice.className = "notice warn";
      notice.textContent = `Perhatian: kode ini sudah dinamis${g ? ` (berisi Rp ${g})` : ""}. ` +
        "Nominalnya akan diganti dengan nominal baru. Sebaiknya pakai kode statis toko.";
    } else {
      notice.className = "notice ok";
      notice.textContent = "Kode statis valid. Masukkan nominal.";
    }
    $("convert").disabled = !state.payload;
    showResult(false);
    $("code-input").hidden = Boolean(state.payload);
    $("change-code").hidden = !state.payload;
    if (state.payload) {
      localStorage.setItem("qriskit-code", state.payload);
      $("amount").focus();
    }
  }

  $("change-code").addEventListener("click", () => {
    $("code-input").hidden = false;
    $("change-code").hidden = true;
    $("code-text").focus();
  });

  function codeFailed(err) {
    state.payload = null;
    $("convert").disabled = true;
    showMessage(err.message, false, err.code);
  }

  async function readText() {
    const text = $("code-text").value.trim();
    if (!text) return;
    showMessage("");
    try {
      const r = await call("/v1/info", { qris: text });
      showCode(r.payload, r.info);
    } catch (err) { codeFailed(err); }
  }
  $("read-text").addEventListener("click", readText);
  $("code-text").addEventListener("paste", () => setTimeout(readText, 0));

  async function readPicture(blob, name) {
    const form = new FormData();
    form.append("image", blob, name);
    const r = await call("/v1/info", form);
    $("code-text").value = r.payload;
    showCode(r.payload, r.info);
  }

  $("code-file").addEventListener("change", async (e) => {
    const file = e.target.files && e.target.files[0];
    if (!file) return;
    showMessage("");
    try { await readPicture(file, file.name || "qris"); } catch (err) { codeFailed(err); }
    e.target.value = "";
  });

  // ------------------------------------------------------------------ camera

  async function startCamera() {
    if (state.camera) return;
    const hint = $("camera-hint");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      hint.textContent = "Kamera tidak tersedia di peramban ini: pakai Unggah gambar (bisa langsung memotret).";
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      const video = $("camera-video");
      video.srcObject = stream;
      await video.play();
      state.camera = { stream, timer: null, busy: false };
      hint.textContent = "Arahkan kamera ke kode QRIS toko…";
      scanLoop();
    } catch (err) {
      hint.textContent = `Kamera tidak bisa dibuka (${err.name || err}). Pakai Unggah gambar.`;
    }
  }

  function stopCamera() {
    const cam = state.camera;
    if (!cam) return;
    clearTimeout(cam.timer);
    cam.stream.getTracks().forEach((t) => t.stop());
    $("camera-video").srcObject = null;
    state.camera = null;
  }
  $("camera-stop").addEventListener("click", () => { stopCamera(); $("camera-hint").textContent = "Kamera dihentikan."; });

  function frameBlob(video) {
    const scale = Math.min(1, 1280 / Math.max(video.videoWidth, video.videoHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  }

  function scanLoop() {
    const cam = state.camera;
    if (!cam) return;
    cam.timer = setTimeout(async () => {
      const video = $("camera-video");
      if (!state.camera || !video.videoWidth) { scanLoop(); return; }
      try {
        const blob = await frameBlob(video);
        if (blob && state.camera) {
          await readPicture(blob, "camera.jpg");
          stopCamera();
          $("camera-hint").textContent = "Kode terbaca.";
          return;
        }
      } catch (err) {
        if (err.code && err.code !== "image.no_qr" && err.status !== 429) $("camera-hint").textContent = err.message;
      }
      scanLoop();
    }, 400);
  }

  // ------------------------------------------------------------------ convert

  function showResult(done) {
    $("r-done").hidden = !done;
    $("r-empty").hidden = done;
    if (!done) $("qr").removeAttribute("src");
  }

  async function convert() {
    if (!state.payload) return;
    const amount = $("amount").value.trim();
    $("amount-error").textContent = "";
    showMessage("");
    $("convert").disabled = true;
    try {
      const r = await call("/v1/convert", { qris: state.payload, amount });
      const qrUrl = `/qr.png?data=${encodeURIComponent(r.payload)}`;
      $("qr").src = `${qrUrl}&scale=10`;
      $("download").href = `${qrUrl}&scale=12`;
      $("download").setAttribute("download", `qris-${r.amount}.png`);
      $("payload").value = r.payload;
      $("r-merchant").textContent = (r.info.merchant && r.info.merchant.name) || "";
      $("r-amount").textContent = `Rp ${grouped(r.amount) || r.amount}`;
      showResult(true);
      $("step-result").scrollIntoView({ behavior: "smooth", block: "nearest" });
    } catch (err) {
      if (err.code && err.code.startsWith("amount")) $("amount-error").replaceChildren(explain(err.code, err.message));
      else showMessage(err.message, false, err.code);
    } finally {
      $("convert").disabled = !state.payload;
    }
  }
  $("convert").addEventListener("click", convert);

  $("copy").addEventListener("click", async () => {
    const text = $("payload").value;
    try { await navigator.clipboard.writeText(text); }
    catch (e) { $("payload").select(); document.execCommand("copy"); }
    $("copy").textContent = "Tersalin ✓";
    setTimeout(() => { $("copy").textContent = "Salin kode"; }, 1500);
  });

  $("again").addEventListener("click", () => {
    $("amount").value = "";
    showAmount();
    showResult(false);
    $("amount").focus();
  });

  // ------------------------------------------------------------------ server status

  fetch("/healthz").then((r) => r.json()).then((h) => {
    $("status").textContent = `server siap · qriskit ${h.version}`;
    $("status").className = "status ok";
  }).catch(() => {
    $("status").textContent = "server tidak terjangkau";
    $("status").className = "status bad";
  });

  showAmount();
  const remembered = localStorage.getItem("qriskit-code");
  if (remembered) {  // the store's code from the last visit
    $("code-text").value = remembered;
    readText();
  }
})();
