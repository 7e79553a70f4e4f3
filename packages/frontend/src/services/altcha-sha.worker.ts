// The ALTCHA widget's SHA proof-of-work worker, bundled as a file of our own: the strict CSP (worker-src 'self')
// refuses the blob: workers of altcha's default bundle.
import 'altcha/workers/sha';
