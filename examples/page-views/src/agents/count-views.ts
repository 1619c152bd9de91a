// faustgen:stub agent count-views
// This file is yours: faustgen wrote it once and never touches it again.
import type { CountViewsHandler } from '../generated/handlers.js';

/**
 * Counts each view in the one-minute window of its event time (the record timestamp): a late view
 * still lands in the minute it happened, as long as that window has not expired.
 */
export const countViews: CountViewsHandler = async (stream, ctx) => {
  for await (const view of stream) {
    ctx.tables.viewsPerMinute.update(view.page, (views) => views + 1);
  }
};
