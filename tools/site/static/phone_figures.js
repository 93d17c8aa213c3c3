// Figures stay legible on a phone (tools/site/site_fixes.py; tested by tests/test_site_layout.py).
//
// A figure of the book is a PNG drawn by matplotlib at FIGURE_DPI; its smallest text is
// SMALLEST_FONT_PT points (tests/test_site_layout.py checks both), so that text is
// SMALLEST_FONT_PT * FIGURE_DPI / 72 pixels high in the image. The theme shrinks every image to
// the width of its column, and a 1,000-pixel-wide figure of three panels shrinks to about a
// third on a 390 px phone: its labels fall to 4 or 5 CSS px and cannot be read. On a narrow
// screen, a figure that would be shown below LEGIBLE_PX keeps the width at which its smallest
// text is LEGIBLE_PX high, in a box of its own that scrolls sideways (the page itself never
// does), with a line under it that says so and opens the image full size.
(function () {
  "use strict";
  var LEGIBLE_PX = 9;
  var SMALLEST_FONT_PT = 8;
  var FIGURE_DPI = 100;
  var NARROW = "(max-width: 767.98px)";
  var LEGIBLE_SCALE = LEGIBLE_PX / ((SMALLEST_FONT_PT * FIGURE_DPI) / 72);

  function hintFor(img) {
    var hint = document.createElement("p");
    hint.className = "nnlib-figure-hint";
    hint.appendChild(document.createTextNode("Wider than your screen: swipe the figure sideways, or "));
    var link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.textContent = "open it full size";
    hint.appendChild(link);
    hint.appendChild(document.createTextNode("."));
    return hint;
  }

  function fit(img) {
    if (!img.naturalWidth) return;
    var box = img.parentElement;
    var legible = Math.ceil(img.naturalWidth * LEGIBLE_SCALE);
    var narrow = window.matchMedia(NARROW).matches;
    var wide = narrow && legible > box.clientWidth;
    img.classList.toggle("nnlib-legible-figure", wide);
    box.classList.toggle("nnlib-figure-scroll", wide);
    img.style.width = wide ? legible + "px" : "";
    var hint = box.nextElementSibling;
    var hasHint = hint && hint.classList.contains("nnlib-figure-hint");
    if (wide && !hasHint) {
      box.parentElement.insertBefore(hintFor(img), box.nextSibling);
    } else if (!wide && hasHint) {
      hint.remove();
    }
  }

  function start() {
    var images = document.querySelectorAll(".bd-article .cell_output > img");
    images.forEach(function (img) {
      if (img.complete) fit(img);
      img.addEventListener("load", function () { fit(img); });
    });
    window.matchMedia(NARROW).addEventListener("change", function () {
      images.forEach(fit);
    });
    window.addEventListener("resize", function () { images.forEach(fit); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
