// What the page knows: every alert it has seen in its current state (id → alert, shown or
// filtered out), each patient's card context (patient id → context), the note threads it
// has loaded (alert id → notes), and the seq of the last alert event it has seen.
import { cfg } from "./config.js";

export const state = {
  alerts: {},
  contexts: {},
  notes: {},
  lastSeq: parseInt(cfg.lastSeq, 10) || 0,
};

// Events arrive in seq order, except replays and pushes crossing: keep the highest.
export function noteSeq(seq) {
  if (seq > state.lastSeq) state.lastSeq = seq;
}
