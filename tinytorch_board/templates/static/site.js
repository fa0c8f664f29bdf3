// Small comforts on every page, as progressive enhancement (CSP: script-src 'self'):
// - where no font draws emoji (no colour pixels come out), badge names are shown
//   instead of boxes: html.no-emoji (site.css);
// - a Copy button after every field marked data-copy (the text stays selectable
//   without this script).
(function () {
  "use strict";
  function emojiDrawn() {
    try {
      var canvas = document.createElement("canvas");
      canvas.width = canvas.height = 24;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      if (!ctx) return true;
      ctx.textBaseline = "top";
      ctx.font = "20px sans-serif";
      ctx.fillText("\uD83C\uDFC5", 0, 0);  // a medal: coloured wherever an emoji font exists
      var px = ctx.getImageData(0, 0, 24, 24).data;
      for (var i = 0; i < px.length; i += 4) {
        if (px[i + 3] && (Math.abs(px[i] - px[i + 1]) > 30 || Math.abs(px[i + 1] - px[i + 2]) > 30)) return true;
      }
      return false;
    } catch (e) {
      return true;
    }
  }
  if (!emojiDrawn()) document.documentElement.classList.add("no-emoji");

  function copyText(field, button) {
    var text = field.value;
    function done(ok) {
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { field.select(); done(false); });
    } else {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    var label = document.querySelector("label[for='" + field.id + "']");
    button.setAttribute("aria-label", "Copy: " + (label ? label.textContent : "text"));
    button.addEventListener("click", function () { copyText(field, button); });
    field.insertAdjacentElement("afterend", button);
  });
})();
