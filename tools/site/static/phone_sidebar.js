// On a phone (narrower than 992px) the visible sidebar buttons are sphinx-book-theme's, in the
// article header; pydata-sphinx-theme opens its navigation drawer only from the first
// ".primary-toggle" / ".secondary-toggle" of the page, its own header button, which
// sphinx-book-theme hides. So the visible buttons did nothing and a phone reader could not reach
// the table of contents. Forward their clicks to the theme's own buttons (tools/site/site_fixes.py;
// tested by tests/test_site_browser.py on a phone-sized screen).
(function () {
  "use strict";
  function forward(selector) {
    var buttons = document.querySelectorAll(selector);
    var own = buttons[0];
    for (var i = 1; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        if (window.matchMedia("(min-width: 992px)").matches) return; // the desktop handler
        event.preventDefault();
        own.click();
      });
    }
  }
  function start() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
