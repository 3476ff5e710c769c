import { RenderBudget } from './render-budget';
import { renderTemplate } from './template';
import { TemplateError } from './template-error';

// ~50-100 ms of liquid work on this machine: well inside one template's limit, so only a
// budget shared across templates can stop a delivery with many of them.
const SLOW = '{% for i in (1..200000) %}{% endfor %}x';

describe('RenderBudget', () => {
  it('stops a delivery whose templates together run past the time budget, though each alone is within it', () => {
    const budget = new RenderBudget({ ms: 200 });
    const started = performance.now();
    let rendered = 0;
    // Out of time, not broken: the delivery may try again (a loaded machine runs sound templates slowly too).
    expect(() => {
      for (let i = 0; i < 500; i++) {
        renderTemplate(SLOW, {}, budget);
        rendered++;
      }
    }).toThrow(expect.objectContaining({ name: TemplateError.name, overTime: true }));
    // 500 rules each allowed their own 200 ms would have run for minutes.
    expect(rendered).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('stops a delivery whose templates together produce more than the size budget', () => {
    // Time enough for a loaded machine: this is the size budget's test (the 200 ms default was spent in CI).
    const budget = new RenderBudget({ chars: 100_000, ms: 60_000 });
    const big = '{% for i in (1..9000) %}0123456789{% endfor %}';
    renderTemplate(big, {}, budget);
    expect(() => renderTemplate(big, {}, budget)).toThrow(expect.objectContaining({ message: expect.stringMatching(/size budget/), overTime: false }));
  });

  it('lets a delivery of ordinary templates through', () => {
    // A full mapping's worth of rules (the standard Lead fields are about 30). The budget is wall
    // time, so a count far above that measures the machine's load, not the templates.
    const budget = new RenderBudget();
    for (let i = 0; i < 40; i++) expect(renderTemplate('{{ data.email | downcase }}', { data: { email: 'A@B.C' } }, budget)).toBe('a@b.c');
  });
});
