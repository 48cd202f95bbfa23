import { z } from 'zod';

/** `POST /acs/api/v1/auth/login` answers `{"token": "<auth jwt>"}` (docs/reference/dcos-cli-plugin.md §5). */
export const LoginResponseSchema = z.looseObject({ token: z.string().min(1) });
