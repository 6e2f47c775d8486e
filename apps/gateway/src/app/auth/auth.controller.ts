import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RedisSessionStore, SessionIdMismatchError } from '@shop/sessions';
import type { Response } from 'express';
import type { Account } from '../accounts/account';
import { AccountsService } from '../accounts/accounts.service';
import { LoginLimited } from '../limits/rate-limit.decorators';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { Public } from './auth.decorators';
import { CredentialsDto, SessionHandleParam } from './auth.dto';
import { CurrentUser } from './current-user.decorator';
import { sessionHandle } from './session-handle';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from './session.middleware';
import type { GatewayRequest, SessionUser } from './session-user';

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly store: RedisSessionStore,
  ) {}

  @Post('register')
  @Public()
  @LoginLimited({ perUsername: false })
  @ApiOperation({ summary: 'Create a customer account (does not log in)' })
  @ApiErrors(400, 403, 409, 415, 429, 503)
  register(@Body() body: CredentialsDto): Promise<Account> {
    return this.accounts.register(body.username, body.password);
  }

  /**
   * A new session id every login (a planted cookie does not survive it); the same 401 for an unknown
   * username and a wrong password.
   */
  @Post('login')
  @HttpCode(200)
  @Public()
  @LoginLimited()
  @ApiOperation({ summary: 'Log in: sets the session cookie' })
  @ApiErrors(400, 401, 403, 415, 429, 503)
  async login(@Body() body: CredentialsDto, @Req() req: GatewayRequest): Promise<Account> {
    const account = await this.accounts.authenticate(body.username, body.password);
    if (!account)
      throw new UnauthorizedException({ message: 'invalid username or password', code: 'E_BAD_CREDENTIALS' });
    if (req.sessionUnavailable || !req.session) throw sessionsUnavailable();
    // Carried into the new session by login(), which writes it in the same script as the rotation.
    req.session.user = account;
    try {
      // The store of the mount that loaded this request (http and https mounts differ in cookie settings).
      const mounted = req.sessionStore instanceof RedisSessionStore ? req.sessionStore : this.store;
      await sessionCall(() => mounted.login(req, account.id));
    } catch (err) {
      delete req.session.user;
      throw err;
    }
    return account;
  }

  @Post('logout')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: 'End this session (idempotent)' })
  @ApiErrors(403, 429, 503)
  async logout(@Req() req: GatewayRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (req.session) {
      await new Promise<void>((resolve, reject) =>
        req.session.destroy((err: unknown) => (err ? reject(sessionsUnavailable()) : resolve())),
      );
    }
    res.clearCookie(req.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
    });
  }

  @Get('me')
  @ApiOperation({ summary: 'Who is logged in' })
  @ApiErrors(401, 429, 503)
  me(@CurrentUser() user: SessionUser): Account {
    return { id: user.id, username: user.username, role: user.role };
  }

  @Get('sessions')
  @ApiOperation({ summary: 'My live sessions, newest first' })
  @ApiErrors(401, 429, 503)
  async sessions(
    @CurrentUser() user: SessionUser,
    @Req() req: GatewayRequest,
  ): Promise<{ items: SessionView[]; nextCursor: null }> {
    const { sessions } = await sessionCall(() => this.store.listSessions(user.id));
    return {
      items: sessions.map((s) => ({
        id: sessionHandle(s.id),
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        userAgent: s.userAgent,
        ip: s.ip,
        current: s.id === req.sessionID,
      })),
      nextCursor: null,
    };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of my sessions, on every instance' })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async revoke(@Param() { id }: SessionHandleParam, @CurrentUser() user: SessionUser): Promise<void> {
    const { sessions } = await sessionCall(() => this.store.listSessions(user.id, 1000));
    const target = sessions.find((s) => sessionHandle(s.id) === id);
    if (!target || !(await sessionCall(() => this.store.revokeSession(user.id, target.id))))
      throw new NotFoundException({ message: 'no such session of yours', code: 'E_NOT_FOUND' });
  }

  @Delete('sessions')
  @HttpCode(200)
  @ApiOperation({ summary: 'End all my sessions but this one' })
  @ApiErrors(401, 403, 429, 503)
  async revokeOthers(
    @CurrentUser() user: SessionUser,
    @Req() req: GatewayRequest,
  ): Promise<{ revoked: number }> {
    return { revoked: await sessionCall(() => this.store.revokeOtherSessions(user.id, req.sessionID)) };
  }
}

function sessionsUnavailable(): ServiceUnavailableException {
  return new ServiceUnavailableException({
    message: 'sessions are temporarily unavailable; try again shortly',
    code: 'E_SESSION_UNAVAILABLE',
  });
}

/** A session store call: Redis trouble (refused, timed out, disconnected) is a fast 503, not a 500. */
async function sessionCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof HttpException || err instanceof SessionIdMismatchError) throw err;
    throw sessionsUnavailable();
  }
}
