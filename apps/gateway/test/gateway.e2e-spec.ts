import { describeServiceFoundation } from '@shop/testing';

describeServiceFoundation('gateway');
