import { ClusterHttp, parseBody } from '../cluster/http';
import { AuthError } from '../errors';
import { LoginResponseSchema } from './iam-schemas';

/** DC/OS' identity service through Admin Router: service-account login. */
export class IamClient {
  constructor(private readonly http: ClusterHttp) {}

  /** Exchange a service login token (an RS256 JWT signed with the account's key) for an auth token. */
  async loginServiceAccount(uid: string, serviceLoginToken: string): Promise<string> {
    const response = await this.http.request({
      service: 'DC/OS IAM',
      to: 'admin-router',
      method: 'POST',
      path: '/acs/api/v1/auth/login',
      json: { uid, token: serviceLoginToken },
      accept: [400, 401, 403],
      retry: true,
      readOnly: true,
    });
    if (response.status !== 200) {
      throw new AuthError(
        `The cluster refused the login of service account '${uid}' (${response.status}): check the uid, that its public key is the one registered in DC/OS, and the clocks (the login token expires after 5 minutes).`,
      );
    }
    return parseBody(LoginResponseSchema, response, 'DC/OS IAM').token;
  }
}
