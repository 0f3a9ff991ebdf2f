/* Solves the form's ALTCHA proof-of-work challenge (PBKDF2, WebCrypto) and puts the payload in
 * its hidden field; altcha-django verifies it on the server. Progressive enhancement: without
 * this script the field stays empty and the submission is flagged for a closer look. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-pow-challenge]");
  if (!input || !input.form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var form = input.form;
  var status = form.querySelector("[data-pow-status]");
  var challenge = JSON.parse(input.getAttribute("data-pow-challenge"));
  var solution = null;
  var waiting = false;

  function say(key) {
    if (!status) { return; }
    status.textContent = status.getAttribute("data-" + key);
    status.hidden = false;
  }

  function bytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i += 1) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function derive(params, nonce, salt, counter) {
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    new DataView(password.buffer).setUint32(nonce.length, counter, false);
    var hash = (params.algorithm.split("/")[1] || "SHA-256").toUpperCase();
    return window.crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"])
      .then(function (key) {
        return window.crypto.subtle.deriveBits(
          { name: "PBKDF2", hash: hash, salt: salt, iterations: params.cost },
          key,
          params.keyLength * 8
        );
      });
  }

  function solve() {
    var params = challenge.parameters;
    var nonce = bytes(params.nonce);
    var salt = bytes(params.salt);
    var prefix = params.keyPrefix.toLowerCase();
    var started = Date.now();
    function attempt(counter) {
      return derive(params, nonce, salt, counter).then(function (bits) {
        var key = hex(bits);
        if (key.indexOf(prefix) === 0) {
          return { counter: counter, derivedKey: key, time: Date.now() - started };
        }
        return attempt(counter + 1);
      });
    }
    return attempt(0);
  }

  say("working");
  var solving = solve().then(function (found) {
    solution = found;
    input.value = window.btoa(JSON.stringify({ challenge: challenge, solution: found }));
    say("done");
    if (waiting) { form.submit(); }
  }, function () {
    say("failed");
    if (waiting) { form.submit(); }
  });

  form.addEventListener("submit", function (event) {
    if (solution !== null) { return; }
    event.preventDefault();
    if (!waiting) {
      waiting = true;
      say("waiting");
    }
    return solving;
  });
}());
