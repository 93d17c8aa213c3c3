// JupyterLite runs Python with Pyodide, which it loads from a CDN when a notebook's kernel
// starts. Offline, or where the CDN is blocked, that load never finishes and the first cell
// waits forever with no word of why. This script (added to the lite site's pages by
// tools/site/lite.py) checks within 10 seconds whether Pyodide can be reached and, if not, says so
// at the top of the page, with what to do instead. The URL is the one the kernel will load
// (data-pyodide-url, read from the built kernel extension at build time).
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.pyodideUrl;
  var book = script && script.dataset.bookUrl;
  if (!url) return;
  var host = url.replace(/^https?:\/\//, "").split("/")[0];

  function show(reason) {
    if (document.getElementById("nnlib-pyodide-notice")) return;
    var box = document.createElement("div");
    box.id = "nnlib-pyodide-notice";
    box.setAttribute("role", "alert");
    box.style.cssText =
      "position:fixed;top:0;left:0;right:0;z-index:100000;padding:0.8em 1em;" +
      "background:#fff3e6;color:#000;border-bottom:4px solid #D55E00;font:15px/1.4 sans-serif";
    var text = document.createElement("p");
    text.style.margin = "0";
    text.textContent =
      "Python cannot start here: JupyterLite needs the internet to load Python (Pyodide, " +
      "about 10 MB, with numpy and matplotlib) from " + host + ", and " + reason + ". " +
      "The cells of this notebook will not run. Without internet, read the chapter on the " +
      "book's website, whose widgets work in the page with no Python, or install the course " +
      "on your computer (see Install in the book).";
    box.appendChild(text);
    if (book) {
      var link = document.createElement("a");
      link.href = book;
      link.textContent = "Back to the book";
      link.style.cssText = "display:inline-block;margin-top:0.4em;color:#0b4f8a";
      box.appendChild(link);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.style.cssText = "margin-left:1em;font:inherit";
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  if (navigator.onLine === false) {
    show("this browser is offline");
    return;
  }
  var controller = typeof AbortController === "function" ? new AbortController() : null;
  var timer = setTimeout(function () {
    if (controller) controller.abort();
    show("it did not answer within 10 seconds");
  }, 10000);
  fetch(url, { method: "HEAD", mode: "no-cors", cache: "no-store",
               signal: controller ? controller.signal : undefined })
    .then(function () { clearTimeout(timer); })
    .catch(function () {
      clearTimeout(timer);
      show("it could not be reached (offline, or blocked by this network)");
    });
})();
