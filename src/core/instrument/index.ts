export { instrument } from './instrument.js';
export { applyEdits, undoEdits, EditError } from './edits.js';
export { InstrumentOptionsError } from './options.js';
export { hasPlaceholder } from './placeholders.js';
export { AUTO_TOP_THRESHOLD_BYTES, PIXEL_STYLE } from './pixel.js';
export { MAX_LABEL_LENGTH } from './labels.js';
export type {
  ClickTracking,
  Edit,
  InstrumentInput,
  InstrumentOptions,
  InstrumentResult,
  PixelPlacement,
  RecordedEdit,
  TrackedLink,
} from './types.js';
