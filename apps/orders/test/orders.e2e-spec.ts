import { describeServiceFoundation } from '@shop/testing';

describeServiceFoundation('orders');
