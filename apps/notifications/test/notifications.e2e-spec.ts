import { describeServiceFoundation } from '@shop/testing';

describeServiceFoundation('notifications');
