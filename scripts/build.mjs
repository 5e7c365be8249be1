#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): compiles the package's entry points (tsconfig.build.json) into
 * dist/ as ESM JavaScript plus .d.ts files that plain Node and `moduleResolution: NodeNext` accept.
 *
 * The sources import each other without extensions (Bundler resolution, which tsx, vitest and
 * esbuild understand). Node's ESM loader needs full paths, so the emit rewrites every relative
 * module specifier, in the JavaScript and in the declarations, to the file it names:
 * './core' → './core.js', './wrappers' → './wrappers/index.js'. A URL built from a relative
 * `.ts` path and import.meta.url (a module loaded at run time, e.g. a worker entry) is pointed at
 * the compiled `.js`; a deep import into a package without an `exports` map gets its extension.
 * The source files are not touched.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildSync } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, 'tsconfig.build.json');
/** Plain-JS modules the compiled code loads by URL; copied beside it with the same rewrite. */
const COPIED = ['node/sweep/worker-boot.mjs'];

const isFile = (p) => existsSync(p) && statSync(p).isFile();

const require = createRequire(join(ROOT, 'package.json'));

/**
 * A deep import into a package without an `exports` map ('pkg/dist/file', as the declaration
 * emitter writes for a type it reaches only there) gets the file's extension, which ESM requires.
 */
function packageSubpath(spec) {
  const m = /^((?:@[^/]+\/)?[^/@.][^/]*)\/(.+)$/.exec(spec);
  if (!m || m[1].startsWith('node:') || /\.(m?js|cjs|json)$/.test(m[2])) return undefined;
  let dir;
  try {
    dir = dirname(require.resolve(`${m[1]}/package.json`));
  } catch {
    return undefined;
  }
  if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports !== undefined) return undefined;
  const abs = join(dir, m[2]);
  if (isFile(`${abs}.js`) || isFile(`${abs}.d.ts`)) return `${spec}.js`;
  if (isFile(join(abs, 'index.js')) || isFile(join(abs, 'index.d.ts'))) return `${spec}/index.js`;
  return undefined;
}

/** The specifier Node needs for `spec` imported from a file in `fromDir`, or undefined to keep it. */
function nodeSpecifier(fromDir, spec) {
  if (!/^\.\.?(\/|$)/.test(spec)) return packageSubpath(spec);
  if (/\.(m?js|cjs|json)$/.test(spec)) return undefined;
  if (/\.(m|c)?ts$/.test(spec)) return spec.replace(/ts$/, 'js');
  const abs = resolve(fromDir, spec);
  if (isFile(`${abs}.ts`) || isFile(`${abs}.tsx`)) return `${spec}.js`;
  if (isFile(join(abs, 'index.ts'))) return `${spec.replace(/\/$/, '')}/index.js`;
  if (isFile(`${abs}.d.ts`)) return `${spec}.js`;
  throw new Error(`build: cannot resolve '${spec}' from ${relative(ROOT, fromDir) || '.'}`);
}

const urlOfTs = /new URL\((['"])(\.\.?\/[^'"]+)\.ts\1,\s*import\.meta\.url\)/g;

function rewriteSpecifiers(context) {
  const f = context.factory;
  return (file) => {
    if (!ts.isSourceFile(file)) return file;
    const dir = dirname(file.fileName);
    const literal = (node) => {
      const to = nodeSpecifier(dir, node.text);
      return to === undefined ? node : f.createStringLiteral(to);
    };
    const visit = (node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateImportDeclaration(node, node.modifiers, node.importClause, literal(node.moduleSpecifier), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, literal(node.moduleSpecifier), node.attributes);
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        const argument = f.updateLiteralTypeNode(node.argument, literal(node.argument.literal));
        return f.updateImportTypeNode(node, argument, node.attributes, node.qualifier && ts.visitNode(node.qualifier, visit), node.typeArguments && ts.visitNodes(node.typeArguments, visit), node.isTypeOf);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
        const [first, ...rest] = node.arguments;
        return f.updateCallExpression(node, node.expression, node.typeArguments, [literal(first), ...rest.map((a) => ts.visitNode(a, visit))]);
      }
      // new URL('./x.ts', import.meta.url): a module loaded at run time by URL.
      if (
        ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' &&
        node.arguments?.length === 2 && ts.isStringLiteralLike(node.arguments[0]) && /^\.\.?\/.*\.ts$/.test(node.arguments[0].text) &&
        ts.isPropertyAccessExpression(node.arguments[1]) && ts.isMetaProperty(node.arguments[1].expression) && node.arguments[1].name.text === 'url'
      ) {
        const to = f.createStringLiteral(node.arguments[0].text.replace(/ts$/, 'js'));
        return f.updateNewExpression(node, node.expression, node.typeArguments, [to, node.arguments[1]]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(file, visit);
  };
}

function formatDiagnostics(diagnostics) {
  return ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/**
 * Build dist/. `check: false` skips type checking (the emit alone; `npx tsc --noEmit` and the
 * package test's consumer type-check still see every error), for the package test's speed.
 */
export function build({ check = true, log = console.log } = {}) {
  const t0 = performance.now();
  const parsed = ts.getParsedCommandLineOfConfigFile(CONFIG, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(formatDiagnostics([d]));
    },
  });
  if (parsed.errors.length) throw new Error(formatDiagnostics(parsed.errors));
  const outDir = parsed.options.outDir;
  rmSync(outDir, { recursive: true, force: true });
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noCheck: !check } });
  const diagnostics = check ? ts.getPreEmitDiagnostics(program) : program.getSyntacticDiagnostics();
  if (diagnostics.length) throw new Error(`build: type errors\n${formatDiagnostics(diagnostics)}`);
  const emitted = program.emit(undefined, undefined, undefined, false, {
    after: [rewriteSpecifiers],
    afterDeclarations: [rewriteSpecifiers],
  });
  if (emitted.diagnostics.length) throw new Error(formatDiagnostics(emitted.diagnostics));
  for (const file of COPIED) {
    const out = join(outDir, file);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, readFileSync(join(ROOT, file), 'utf8').replace(urlOfTs, (_, q, p) => `new URL(${q}${p}.js${q}, import.meta.url)`));
  }
  // The viewer app, prebuilt: an installed package has no viewer sources to bundle at run time
  // (viewer/build.ts serves this copy when it finds no sources beside it).
  const viewerOut = join(outDir, 'viewer', 'dist');
  buildSync({
    // The same bundles as viewer/build.ts: the viewer, the play page, the lab page and the lab's training worker.
    entryPoints: {
      app: join(ROOT, 'viewer', 'src', 'main.ts'),
      play: join(ROOT, 'viewer', 'src', 'play', 'main.ts'),
      lab: join(ROOT, 'viewer', 'src', 'lab', 'main.ts'),
      'lab-worker': join(ROOT, 'viewer', 'src', 'lab', 'worker.ts'),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir: viewerOut,
    logLevel: 'silent',
    legalComments: 'linked',
  });
  // The pages and the stylesheet they share.
  for (const page of ['index.html', 'play.html', 'lab.html', 'common.css']) copyFileSync(join(ROOT, 'viewer', page), join(viewerOut, page));
  // The tfjs wasm binaries, served from the page's own origin to the lab's worker.
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(viewerOut, f));
  const files = program.getSourceFiles().filter((s) => !s.isDeclarationFile && !s.fileName.includes('/node_modules/')).length;
  log(`build: ${files} modules → ${relative(ROOT, outDir)}/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build({ check: !process.argv.includes('--no-check') });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
