import { SetMetadata } from '@nestjs/common';
import type { Role } from '@shop/contracts';

export const PUBLIC_ROUTE = Symbol('PUBLIC_ROUTE');
export const REQUIRED_ROLE = Symbol('REQUIRED_ROLE');

/** Anyone may call it; a logged-in caller is still known (`req.user`). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** Only callers with this role (403 for others, 401 when anonymous). */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);
