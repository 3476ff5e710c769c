import { hubspotDefaultMapping } from '../hubspot/default-mapping';
import { salesforceDefaultMapping } from '../salesforce/default-mapping';
import { applyMapping } from './apply-mapping';

const lead = (data: Record<string, unknown>) => ({ id: 'lead-1', data });

describe('default mappings read the normalised lead format', () => {
  it('splits fullName and reads phoneNumber when firstName, lastName and phone are missing', () => {
    const normalised = lead({ fullName: 'Ada King Lovelace', phoneNumber: '+44 20 7946 0000', email: 'ada@example.com', company: 'Engines' });
    expect(applyMapping(normalised, salesforceDefaultMapping)).toMatchObject({
      FirstName: 'Ada',
      LastName: 'King Lovelace',
      Phone: '+44 20 7946 0000',
      Company: 'Engines',
    });
    expect(applyMapping(normalised, hubspotDefaultMapping)).toMatchObject({ firstname: 'Ada', lastname: 'King Lovelace', phone: '+44 20 7946 0000' });
  });

  it('prefers the given parts: firstName and lastName as they are, phone over phoneNumber', () => {
    const given = lead({ firstName: 'Mary Ann', lastName: 'Evans', fullName: 'George Eliot', phone: '+1 111', phoneNumber: '+1 222' });
    expect(applyMapping(given, hubspotDefaultMapping)).toMatchObject({ firstname: 'Mary Ann', lastname: 'Evans', phone: '+1 111' });
  });

  it('does not invent a last name from fullName when only a first name is given', () => {
    expect(applyMapping(lead({ firstName: 'Cher', fullName: 'Cher' }), hubspotDefaultMapping)).not.toHaveProperty('lastname');
    expect(applyMapping(lead({ fullName: 'Cher' }), salesforceDefaultMapping)).toMatchObject({ FirstName: 'Cher', LastName: 'Unknown' });
  });
});
