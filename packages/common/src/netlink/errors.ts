import { getSystemErrorMap } from 'node:util';

/** The kernel rejected a netlink request; `code` is the errno name (ENODEV, EEXIST, ...). */
export class NetlinkError extends Error {
  readonly code: string;

  constructor(
    readonly operation: string,
    readonly errno: number,
  ) {
    const [code, description] = getSystemErrorMap().get(-errno) ?? [`errno ${errno}`, 'unknown error'];
    super(`${operation}: ${description} (${code})`);
    this.name = 'NetlinkError';
    this.code = code;
  }
}

/** A device named by the caller does not exist (right now: tap devices come and go with OpenVPN). */
export class LinkNotFoundError extends Error {
  constructor(readonly device: string) {
    super(`network device ${device} not found`);
    this.name = 'LinkNotFoundError';
  }
}
