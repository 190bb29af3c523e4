import trackLexiconJson from '../lexicons/app/relay/track.json' with { type: 'json' };
import { loadRecordLexicon, type RecordLexicon } from './lexicon-validator.js';

/** The committed `app.relay.track` lexicon (lexicons/app/relay/track.json), checked at load. */
export const trackLexicon: RecordLexicon = loadRecordLexicon(trackLexiconJson);

/** The collection NSID tracks are written to. */
export const TRACK_COLLECTION = 'app.relay.track';
