// Production: hashed, minified, gzip+brotli-compressed assets plus a Workbox service worker in dist/,
// served by the backend. Development: `pnpm dev` serves on :8081 and proxies /api and /ws to :8080.
const path = require('node:path');
const { DefinePlugin } = require('webpack');
const { VueLoaderPlugin } = require('vue-loader');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const MiniCssExtractPlugin = require('mini-css-extract-plugin');
const CopyPlugin = require('copy-webpack-plugin');
const CompressionPlugin = require('compression-webpack-plugin');
const { GenerateSW } = require('workbox-webpack-plugin');
const zlib = require('node:zlib');
const { version } = require('./package.json');

/**
 * Writes dist/chunk-groups.json: the JS files of the entry and of each named lazy chunk (`webpackChunkName`),
 * with the shared chunks each needs, for scripts/check-bundle-budget.mjs. Written after the service worker is
 * generated, so it is not precached.
 */
class ChunkGroupsPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('ChunkGroupsPlugin', (compilation) => {
      const groups = {};
      for (const [name, group] of compilation.namedChunkGroups) {
        groups[name] = [...new Set(group.chunks.flatMap((chunk) => [...chunk.files]))].filter((f) => f.endsWith('.js'));
      }
      const out = compiler.options.output.path;
      require('node:fs').writeFileSync(path.join(out, 'chunk-groups.json'), `${JSON.stringify(groups, null, 2)}\n`);
    });
  }
}

module.exports = (_env, argv) => {
  const production = argv.mode === 'production';
  return {
    entry: './src/main.ts',
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: production ? 'js/[name].[contenthash:8].js' : 'js/[name].js',
      publicPath: '/',
      clean: true,
    },
    devtool: production ? 'source-map' : 'eval-cheap-module-source-map',
    resolve: {
      extensions: ['.ts', '.js', '.vue'],
      alias: {
        '@': path.resolve(__dirname, 'src'),
        // markdown-it's only use of `entities` needs a handful of names (src/utils/entities-lite.ts).
        entities$: path.resolve(__dirname, 'src/utils/entities-lite.ts'),
      },
    },
    module: {
      rules: [
        { test: /\.vue$/, loader: 'vue-loader' },
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          exclude: /node_modules/,
          options: { transpileOnly: true, appendTsSuffixTo: [/\.vue$/] },
        },
        // vue-facing-decorator ships ESM under dist/esm but declares "type": "commonjs".
        { test: /\.js$/, include: /[\\/]vue-facing-decorator[\\/]dist[\\/]esm[\\/]/, type: 'javascript/auto' },
        {
          test: /\.s?css$/,
          use: [MiniCssExtractPlugin.loader, 'css-loader', 'sass-loader'],
        },
        // The emoji font's parts (styles/emoji-font.scss): files of their own, fetched only when drawn.
        {
          test: /\.woff2$/,
          type: 'asset/resource',
          generator: { filename: production ? 'fonts/[name].[contenthash:8][ext]' : 'fonts/[name][ext]' },
        },
      ],
    },
    plugins: [
      new VueLoaderPlugin(),
      new ChunkGroupsPlugin(),
      new DefinePlugin({
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        __APP_VERSION__: JSON.stringify(version),
      }),
      new HtmlWebpackPlugin({ template: './public/index.html', favicon: './public/icons/favicon.png' }),
      new CopyPlugin({ patterns: [{ from: 'public', globOptions: { ignore: ['**/index.html'] } }] }),
      new MiniCssExtractPlugin({ filename: production ? 'css/[name].[contenthash:8].css' : 'css/[name].css' }),
      ...(production
        ? [
            new GenerateSW({
              clientsClaim: true,
              skipWaiting: true,
              // The app shell answers every navigation offline; the API and the socket are never cached.
              navigateFallback: '/index.html',
              navigateFallbackDenylist: [/^\/api\//, /^\/ws/],
              // The emoji set (data 570 kB, font 4 MB in 11 parts) is not precached for everyone: each file is
              // cached the first time a picker opens or a part of the font is drawn (hashed names: never stale).
              exclude: [/\.map$/, /\.gz$/, /\.br$/, /\.LICENSE\.txt$/, /\.woff2$/, /emoji-data\./],
              runtimeCaching: [
                {
                  urlPattern: /\/(fonts\/.+\.woff2|js\/emoji-data\.[0-9a-f]+\.js)$/,
                  handler: 'CacheFirst',
                  options: { cacheName: 'pychat-emoji', expiration: { maxEntries: 30 } },
                },
              ],
              maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
              // Web Push: the push and notificationclick handlers (public/push-worker.js, docs/push.md).
              importScripts: ['/push-worker.js'],
            }),
            new CompressionPlugin({
              filename: '[path][base].gz',
              algorithm: 'gzip',
              test: /\.(js|css|html|svg|json)$/,
            }),
            new CompressionPlugin({
              filename: '[path][base].br',
              algorithm: 'brotliCompress',
              test: /\.(js|css|html|svg|json)$/,
              compressionOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } },
            }),
          ]
        : []),
    ],
    optimization: { splitChunks: { chunks: 'all' } },
    performance: { hints: false },
    devServer: {
      port: 8081,
      historyApiFallback: true,
      proxy: [{ context: ['/api', '/ws'], target: 'http://localhost:8080', ws: true }],
    },
  };
};
