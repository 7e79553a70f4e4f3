/** A browser as far as redirects and cookies go: one jar per host (paths ignored, which only sends more). */
export class Browser {
  readonly #jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.#jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const jar = this.#jar.get(host) ?? new Map<string, string>();
    this.#jar.set(host, jar);
    jar.set(name, value);
  }

  /** Follows redirects from `url` until a page (not a redirect) or `stop` says so; returns that URL. */
  async go(url: string, stop: (url: URL) => boolean = () => false): Promise<URL> {
    let current = new URL(url);
    for (let hop = 0; hop < 20; hop++) {
      if (hop > 0 && stop(current)) {
        return current;
      }
      const cookies = [...(this.#jar.get(current.host) ?? new Map<string, string>())]
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      const res = await fetch(current, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
      for (const line of res.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';');
        const [name = '', ...value] = pair.trim().split('=');
        const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0$/i.test(a));
        if (expired || value.join('=') === '') {
          this.#jar.get(current.host)?.delete(name);
        } else {
          this.setCookie(current.href, name, value.join('='));
        }
      }
      const location = res.headers.get('location');
      await res.arrayBuffer();
      if (res.status < 300 || res.status >= 400 || !location) {
        return current;
      }
      current = new URL(location, current);
    }
    throw new Error('too many redirects');
  }
}
