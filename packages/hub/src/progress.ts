/** Counts the bytes of a download on stderr, one line rewritten in place at most every 200 ms. */
export function downloadProgress(label: string, total: number | null, write: (s: string) => void = (s) => process.stderr.write(s)) {
  let seen = 0;
  let shown = 0;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const show = () => write(`\rebt: downloading ${label}: ${mb(seen)}${total ? ` of ${mb(total)} MB (${Math.floor((100 * seen) / total)}%)` : ' MB'}`);
  return {
    add(n: number) {
      seen += n;
      if (Date.now() - shown > 200) {
        shown = Date.now();
        show();
      }
    },
    done() {
      show();
      write('\n');
    },
  };
}
