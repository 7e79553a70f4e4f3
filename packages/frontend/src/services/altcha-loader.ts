// Loaded only when a form shows an ALTCHA captcha (a chunk of its own): the widget without its bundled workers
// and inline styles, which the strict CSP refuses (docs/deploy.md "Captcha").
import 'altcha/external';
import 'altcha/altcha.css';

interface AltchaGlobal {
  algorithms: { set(name: string, create: () => Worker): void };
}

const altcha = (globalThis as unknown as { $altcha: AltchaGlobal }).$altcha;
altcha.algorithms.set('SHA-256', () => new Worker(new URL('./altcha-sha.worker.ts', import.meta.url)));
