// Plots side by side in a row that wraps on a narrow screen (a 390 px phone shows one per line).
const ROW_STYLE = `.nnlib-live .nnlib-row { display: flex; flex-wrap: wrap; gap: 0.5em; }
.nnlib-live .nnlib-row svg { flex: 1 1 300px; width: 100%; max-width: 400px; min-width: 0; }
.nnlib-live details table { font-size: 0.9em; }
.nnlib-live details th { text-align: left; padding-right: 1em; }`;

export function addRowStyle() {
  if (document.getElementById("nnlib-row-style")) return;
  const style = document.createElement("style");
  style.id = "nnlib-row-style";
  style.textContent = ROW_STYLE;
  document.head.appendChild(style);
}
