import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';

const USERNAME = /^[a-z0-9_]{3,32}$/;
const foldCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/** `POST /api/auth/register` and `POST /api/auth/login`. */
export class CredentialsDto {
  @ApiProperty({ example: 'ada_l', pattern: USERNAME.source, description: 'case-folded' })
  @Transform(foldCase)
  @IsString()
  @Matches(USERNAME, { message: 'username must be 3-32 of [a-z0-9_] (case-insensitive)' })
  username!: string;

  @ApiProperty({ minLength: 10, maxLength: 128, format: 'password' })
  @IsString()
  @Length(10, 128, { message: 'password must be 10-128 characters' })
  password!: string;
}

/** `DELETE /api/auth/sessions/:id`: a handle from the session list (never the session id itself). */
export class SessionHandleParam {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{22}$' })
  @Matches(/^[A-Za-z0-9_-]{22}$/, { message: 'id must be a session id from GET /api/auth/sessions' })
  id!: string;
}
