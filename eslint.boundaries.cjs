// The project's layering, enforced by lint (see the folder map in README.md).
//
// A "package" is a folder with an index.ts that is its public surface: `contracts`, `lib`, `bench`,
// `bin`, and each folder directly under `lambda/`, `local/` and `ops/`. A relative import that
// leaves its package must (1) target a package its layer may depend on and (2) stop at that
// package's index, never reach into its files. Tests may import anything.
const { dirname, relative, resolve, sep } = require('node:path');

/** Which top-level folders each layer may import from (its own always allowed). */
const ALLOWED_LAYERS = {
  contracts: [],
  // The access-path check reads synthesized templates as plain JSON: the tests and local mode share it.
  access: [],
  lambda: ['contracts'],
  lib: ['contracts'],
  local: ['contracts', 'lambda', 'ops', 'access'],
  ops: ['contracts', 'lambda'],
  // The benchmarks measure the deployed bundles and the CDK app itself.
  bench: ['contracts', 'lambda', 'local', 'ops', 'lib', 'access'],
  bin: ['lib', 'contracts'],
  scripts: ['contracts'],
};

const NESTED_LAYERS = new Set(['lambda', 'local', 'ops']);

function packageOf(projectPath) {
  const parts = projectPath.split(sep);
  if (parts.length < 2) return undefined;
  if (NESTED_LAYERS.has(parts[0])) return parts.length > 2 ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0];
}

const boundariesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports across folders respect the layering and go through index.ts' },
    schema: [],
    messages: {
      layer: '{{from}} may not import from {{to}}: allowed layers for {{from}} are {{allowed}}',
      index: "import {{to}} through its index ('{{index}}'), not its internals ('{{spec}}')",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename);
    const fromLayer = file.split(sep)[0];
    if (!(fromLayer in ALLOWED_LAYERS)) return {};
    const fromPackage = packageOf(file);

    function check(node, source) {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const spec = source.value;
      const target = relative(root, resolve(dirname(context.filename), spec));
      const toLayer = target.split(sep)[0];
      if (toLayer !== fromLayer && !ALLOWED_LAYERS[fromLayer].includes(toLayer)) {
        context.report({
          node: source,
          messageId: 'layer',
          data: { from: fromLayer, to: toLayer, allowed: ALLOWED_LAYERS[fromLayer].join(', ') || 'none' },
        });
        return;
      }
      const toPackage = packageOf(target + sep + 'index.ts');
      const targetPackage = packageOf(target) ?? toPackage;
      if (targetPackage === undefined || targetPackage === fromPackage) return;
      if (target !== targetPackage) {
        const index = relative(dirname(context.filename), resolve(root, targetPackage));
        context.report({
          node: source,
          messageId: 'index',
          data: { to: targetPackage, index: index.startsWith('.') ? index : `./${index}`, spec },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

const plugin = { rules: { boundaries: boundariesRule } };

/** Packages no file of a layer may import: the CDK stays out of runtime code, runtimes out of the contracts. */
const CDK_PACKAGES = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'];
const RUNTIME_PACKAGES = ['@aws-sdk/*', '@aws-lambda-powertools/*', '@smithy/*'];
/** The IAM policy evaluator is AGPL-3.0 and a devDependency: it must never reach a bundle or the app. */
const EVALUATOR_PACKAGES = ['@cloud-copilot/*'];

function forbid(groups, message) {
  return ['error', { patterns: [{ group: groups, message }] }];
}

/** The flat-config blocks eslint.config.mjs spreads in; test/eslint reuses them on fixtures. */
const boundariesConfig = [
  {
    files: ['{bin,lib,contracts,access,lambda,local,ops,bench,scripts}/**/*.ts'],
    plugins: { project: plugin },
    rules: { 'project/boundaries': 'error' },
  },
  {
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [...CDK_PACKAGES, ...RUNTIME_PACKAGES, ...EVALUATOR_PACKAGES],
        'contracts/ stays free of the CDK, of handler runtimes and of the policy evaluator, so every layer can load it cheaply',
      ),
    },
  },
  {
    files: ['{local,ops,access}/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(CDK_PACKAGES, 'only lib/, bin/ and bench/ may load the CDK'),
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: CDK_PACKAGES, message: 'only lib/, bin/ and bench/ may load the CDK' },
            {
              group: EVALUATOR_PACKAGES,
              message: 'the AGPL-3.0 policy evaluator is a devDependency: it never enters a handler bundle',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['{lib,bin}/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        EVALUATOR_PACKAGES,
        'the AGPL-3.0 policy evaluator is a devDependency: it never enters a handler bundle',
      ),
    },
  },
];

module.exports = { ALLOWED_LAYERS, boundariesConfig, boundariesRule };
