// MathJax 2's `MathJax.Hub`, for code written against it, on pages that load MathJax 3.
//
// - The website: the Jupyter widgets HTML manager (1.0.x) typesets widget labels with
//   `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; MathJax 3 has no `MathJax.Hub`, so
//   every widget label threw "Cannot read properties of undefined (reading 'Queue')". Loaded
//   before MathJax (tools/site/site_fixes.py).
// - The Formgrader's page for grading one submission by hand: nbgrader's formgrade.js waits
//   for the first typesetting with `MathJax.Hub.Startup.signal.Interest(callback)` (the
//   callback gets the message "End") before it focuses the score box. Inlined before MathJax
//   by tools/grader/offline_mathjax.py.
//
// This shim gives whatever object is `window.MathJax` (the configuration first, then MathJax 3
// itself, which replaces it when it loads) a `Hub` whose `Queue` typesets the element with
// MathJax 3 once MathJax has started, and whose `Startup.signal.Interest` calls back with "End"
// once MathJax 3's first typesetting is done (as MathJax 2 did, also for a callback that comes
// after it).
(function () {
  function started() {
    var mathjax = window.MathJax;
    return mathjax && mathjax.startup && mathjax.startup.promise ? mathjax : null;
  }
  function typeset(job) {
    var element = Array.isArray(job) ? job[2] : undefined;
    var mathjax = started();
    if (!mathjax) {
      return; // MathJax 3 typesets the whole page when it starts.
    }
    mathjax.startup.promise.then(function () {
      return mathjax.typesetPromise(element ? [element] : undefined);
    });
  }
  function interest(callback) {
    function whenStarted() {
      var mathjax = started();
      if (mathjax) {
        mathjax.startup.promise.then(function () {
          callback("End");
        });
      }
      return !!mathjax;
    }
    if (!whenStarted() && document.readyState !== "complete") {
      // MathJax 3 is still loading (a script further down the page): ask again when it is in
      window.addEventListener("load", whenStarted);
    }
  }
  function addHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      Object.defineProperty(mathjax, "Hub", {
        value: { Queue: typeset, Startup: { signal: { Interest: interest } } },
        enumerable: false, // keep it out of MathJax 3's reading of its configuration
        configurable: true,
      });
    }
    return mathjax;
  }
  var current = addHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = addHub(value);
    },
  });
})();
