'use strict';
// HyperFormula's parser does not read Excel's doubled quote inside a string literal ("a""b" is
// the text a"b): such a literal is rewritten as the same text joined from pieces and CHAR(34),
// ("a"&CHAR(34)&"b"). String literals inside array constants {...} are left alone (an array
// constant holds no expressions).

/** Tokens with every string literal that holds a doubled quote spelled out with CHAR(34). */
function spellQuotes(toks) {
  let braces = 0;
  return toks.map((tk) => {
    if (tk.v === '{') braces++;
    else if (tk.v === '}') braces--;
    if (tk.t !== 'str' || braces > 0 || tk.v.length < 2 || !tk.v.endsWith('"')) return tk;
    const inner = tk.v.slice(1, -1);
    if (!inner.includes('""')) return tk;
    return { t: 'id', v: '(' + inner.split('""').map((p) => `"${p}"`).join('&CHAR(34)&') + ')' };
  });
}

module.exports = { spellQuotes };
