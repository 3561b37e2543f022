import { SEED_SERVER_ENVIRONMENT } from './seed-server-environment';
import { SHOOT_CLIENT_ENVIRONMENT } from './shoot-client-environment';
import { environmentMarkdown, type EnvironmentTable } from './variables';

/** The README's configuration reference, one table per program between markers; `npm run docs:env` writes it. */
export const README_ENVIRONMENT_TABLES: Readonly<Record<string, EnvironmentTable<string>>> = {
  'vpn-seed-server': SEED_SERVER_ENVIRONMENT,
  'vpn-shoot-client': SHOOT_CLIENT_ENVIRONMENT,
};

const begin = (program: string): string => `<!-- environment of ${program}: written by \`npm run docs:env\` from its table -->`;
const end = (program: string): string => `<!-- end of the environment of ${program} -->`;

/** The text between a program's markers, or undefined when the README lacks them. */
export function readmeEnvironmentSection(readme: string, program: string): string | undefined {
  const from = readme.indexOf(begin(program));
  const to = readme.indexOf(end(program));
  return from < 0 || to < from ? undefined : readme.slice(from + begin(program).length, to).trim();
}

/** The README with every program's table rendered anew; an error when a program's markers are missing. */
export function withEnvironmentTables(readme: string): string {
  return Object.entries(README_ENVIRONMENT_TABLES).reduce((text, [program, table]) => {
    if (readmeEnvironmentSection(text, program) === undefined) throw new Error(`README: no markers for the environment of ${program}`);
    const from = text.indexOf(begin(program));
    const to = text.indexOf(end(program));
    return `${text.slice(0, from)}${begin(program)}\n${environmentMarkdown(table)}\n${text.slice(to)}`;
  }, readme);
}
