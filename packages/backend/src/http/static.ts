import { join } from 'node:path';
import { Router } from 'express';
import expressStaticGzip from 'express-static-gzip';

/**
 * The built web app. Hashed assets are immutable for a year and served pre-compressed (brotli, else gzip,
 * as webpack wrote them); index.html and the service worker are revalidated every time, so a deploy
 * reaches every browser on its next load.
 */
export function staticApp(dir: string): Router {
  const router = Router();
  const revalidate = /(?:^|\/)(?:index\.html|service-worker\.js|manifest\.webmanifest)$/;
  router.use(
    expressStaticGzip(dir, {
      index: false,
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      serveStatic: {
        maxAge: '365d',
        immutable: true,
        setHeaders: (res, path) => {
          if (revalidate.test(path) || !/\.[0-9a-f]{8}\./.test(path)) {
            res.setHeader('Cache-Control', 'no-cache');
          }
        },
      },
    }),
  );
  // History-mode SPA: every other GET outside /api and /ws gets the app shell.
  router.get('/{*splat}', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  return router;
}
