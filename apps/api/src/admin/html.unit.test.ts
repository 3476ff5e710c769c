import { escapeHtml, html } from './html';

describe('html', () => {
  it('escapes every interpolated value', () => {
    const evil = `<script>alert("x")</script>' onmouseover='1' &amp;`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      `<p title="${escapeHtml(evil)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;1&#39; &amp;amp;</p>`,
    );
  });

  it('keeps nested html as markup, joins arrays and drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });
});
