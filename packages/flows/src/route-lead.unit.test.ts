import { flowInputSchema, type FlowAction } from './actions';
import type { ConditionNode } from './conditions';
import { routeLead, type RoutableFlow } from './route-lead';
import { makeLead } from './__tests__/lead';

const fromDE: ConditionNode = { field: 'data.country', op: 'eq', value: 'DE' };
const fromEU: ConditionNode = { field: 'data.country', op: 'in', value: ['DE', 'FR'] };
const slack: FlowAction = { type: 'slack', webhookUrl: 'https://hooks.slack.test/x', text: 'New {{data.email}}' };
const hook: FlowAction = { type: 'webhook', url: 'https://example.test/hook' };

function flow(id: string, when: ConditionNode, actions: FlowAction[], enabled = true): RoutableFlow {
  return { id, enabled, when, actions };
}

describe('routeLead', () => {
  const flows = [
    flow('f1', fromDE, [{ type: 'crm_push', destinationIds: ['sf', 'hs'] }, slack]),
    flow('f2', fromEU, [hook, { type: 'crm_push', destinationIds: ['hs', 'custom'] }]),
    flow('f3', fromDE, [{ type: 'crm_push', destinationIds: ['never'] }, slack], false),
  ];

  it('collects matching flows, each destination once, and the other actions with their positions', () => {
    expect(routeLead(flows, makeLead({ country: 'DE' }))).toEqual({
      destinationIds: ['sf', 'hs', 'custom'],
      actions: [
        { flowId: 'f1', actionIndex: 1, action: slack },
        { flowId: 'f2', actionIndex: 0, action: hook },
      ],
    });
  });

  it('skips flows whose condition does not match', () => {
    expect(routeLead(flows, makeLead({ country: 'FR' }))).toEqual({
      destinationIds: ['hs', 'custom'],
      actions: [{ flowId: 'f2', actionIndex: 0, action: hook }],
    });
  });

  it('routes nothing for a lead no flow matches', () => {
    expect(routeLead(flows, makeLead({ country: 'US' }))).toEqual({ destinationIds: [], actions: [] });
  });

  it('ignores disabled flows even when they match', () => {
    expect(routeLead([flows[2]], makeLead({ country: 'DE' }))).toEqual({ destinationIds: [], actions: [] });
  });

  it('routes flows exactly as the API parsed them', () => {
    const parsed = flowInputSchema.parse({ name: 'n', when: fromEU, actions: [{ type: 'crm_push', destinationIds: ['a', 'a'] }] });
    expect(routeLead([{ id: 'f', ...parsed }], makeLead({ country: 'FR' })).destinationIds).toEqual(['a']);
  });
});
