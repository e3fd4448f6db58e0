/**
 * The module specifiers a source file names, read with the TypeScript parser (not a regex, so
 * comments, strings and multi-line statements cannot hide or fake one): `import … from`, `import
 * type`, side-effect imports, `export … from`, `import x = require()`, dynamic `import()`,
 * `require()`, `import('x').T` type queries and vitest's module mocks. The architecture tests check
 * these against the layer rules.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface ModuleSpecifier {
  /** The specifier as written, or for a computed one the expression's source text. */
  text: string;
  /** 1-based line of the import. */
  line: number;
  /** A computed specifier (not a string literal, nor a const bound to one) cannot be checked. */
  computed: boolean;
}

/** vitest calls whose first argument is a module path, resolved like an import. */
const VI_MODULE_CALLS = new Set(['mock', 'doMock', 'unmock', 'doUnmock', 'importActual', 'importMock']);

const SOURCE_EXTENSIONS = /\.(?:[cm]?ts|[cm]?js)$/;

export function moduleSpecifiers(fileName: string, source: string): ModuleSpecifier[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: ModuleSpecifier[] = [];
  const lineOf = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const literal = (node: ts.Node | undefined): string | undefined =>
    node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const addStatic = (node: ts.Node | undefined): void => {
    const text = literal(node);
    if (node !== undefined && text !== undefined) found.push({ text, line: lineOf(node), computed: false });
  };
  const addArgument = (arg: ts.Expression | undefined, at: ts.Node): void => {
    if (arg === undefined) return;
    const text = literal(arg) ?? constString(file, arg);
    found.push(text !== undefined ? { text, line: lineOf(at), computed: false } : { text: arg.getText(file), line: lineOf(at), computed: true });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) addStatic(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addStatic(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addStatic(node.argument.literal);
    else if (ts.isCallExpression(node) && isModuleCall(node)) addArgument(node.arguments[0], node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function isModuleCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'vi' && VI_MODULE_CALLS.has(callee.name.text);
}

/** `const x = 'literal'` (or `const x: string = …`) anywhere in the file: the value an `import(x)` loads. */
function constString(file: ts.SourceFile, expr: ts.Expression): string | undefined {
  if (!ts.isIdentifier(expr)) return undefined;
  let value: string | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === expr.text &&
      ts.isVariableDeclarationList(node.parent) &&
      (node.parent.flags & ts.NodeFlags.Const) !== 0 &&
      node.initializer !== undefined &&
      ts.isStringLiteral(node.initializer)
    ) {
      value = node.initializer.text;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return value;
}

/** Every TS/JS source under `dir`, recursively, except installed packages and the `skip` folders (e.g. run output). */
export function sourceFilesUnder(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !skip.includes(path)) out.push(...sourceFilesUnder(path, skip));
    } else if (SOURCE_EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out.sort();
}
