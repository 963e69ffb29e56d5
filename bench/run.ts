/** `npm run bench`: see bench/README.md. */
const argv = process.argv.slice(2);
const childAt = argv.indexOf('--child');
if (childAt >= 0) {
  const { runChild } = await import('./child.ts');
  await runChild(JSON.parse(argv[childAt + 1]!), argv[argv.indexOf('--out') + 1]!);
} else {
  const { main } = await import('./main.ts');
  await main(argv);
}
