// What the page knows: every alert it has seen in its current state (id → alert, shown or
// filtered out) and the seq of the last alert event it has seen, to resume after it.
import { cfg } from "./config.js";

export const state = {
  alerts: {},
  lastSeq: parseInt(cfg.lastSeq, 10) || 0,
};

// Events arrive in seq order, except replays and pushes crossing: keep the highest.
export function noteSeq(seq) {
  if (seq > state.lastSeq) state.lastSeq = seq;
}
