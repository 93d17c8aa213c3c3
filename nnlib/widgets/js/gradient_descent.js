// gradient_descent.js: the learning-rate widget's maths in the page (chapter 4): gradient
// descent on the one-weight loss L(w) = (w - 3)^2 + 1, as nnlib.widgets.training computes it.

// nnlib.widgets.training: W_BEST, loss_1d, loss_1d_grad, gradient_descent_path, learning_rate_state

export const W_BEST = 3.0;
export const loss1d = (w) => (w - W_BEST) ** 2 + 1.0;          // loss_1d: L(w) = (w - 3)^2 + 1
export const loss1dGrad = (w) => 2.0 * (w - W_BEST);           // loss_1d_grad: dL/dw = 2 (w - 3)

// gradient_descent_path(lr, steps, w0): w before the first update and after each one.
// Once |w| exceeds 1e6 (a diverging run) the remaining entries are +-Infinity.
export function gradientDescentPath(lr, steps, w0 = -1.0) {
  const path = [w0];
  let w = w0;
  for (let k = 1; k <= steps; k++) {
    if (Math.abs(w) > 1e6) {
      while (path.length <= steps) path.push(w > 0 ? Infinity : -Infinity);
      break;
    }
    w = w - lr * loss1dGrad(w);
    path.push(w);
  }
  return path;
}

// learning_rate_state(lr, steps, w0): the path, its losses, the factor 1 - 2 lr and a verdict.
export function learningRateState(lr, steps, w0 = -1.0) {
  const path = gradientDescentPath(lr, steps, w0);
  const factor = 1.0 - 2.0 * lr;
  const start = Math.abs(path[0] - W_BEST);
  const end = Math.abs(path[path.length - 1] - W_BEST);
  let verdict;
  if (Math.abs(factor) > 1 + 1e-12) verdict = "diverges";
  else if (Math.abs(Math.abs(factor) - 1) <= 1e-12 && start > 0) verdict = "bounces forever";
  else if (factor < 0) verdict = "oscillates";
  else if (start > 0 && end > 0.1 * start) verdict = "crawls";
  else verdict = "converges";
  return { path, losses: path.map(loss1d), factor, verdict };
}
