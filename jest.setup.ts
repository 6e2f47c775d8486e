import { Logger } from '@nestjs/common';

// Nest's default logger prints every state change in colour; tests that want logs capture them.
if (!process.env['TEST_LOGS']) Logger.overrideLogger(false);
