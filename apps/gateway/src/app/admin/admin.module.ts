import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller';

/** Operator routes (admins only). */
@Module({ controllers: [AdminController] })
export class AdminModule {}
