// npm run seed: fills the database `npm start` uses with a demo campaign. Running it twice changes nothing.
import { cliContext } from './context';
import { createStorage } from '../lib/storage';
import { runSeed } from '../seed';

async function main() {
  const { config, database } = await cliContext();
  try {
    console.log('Seeding the demo:');
    const { accounts } = await runSeed({
      db: database.db,
      storage: createStorage(config),
      seedPassword: config.SEED_PASSWORD,
      log: (line) => console.log(`  ${line}`),
    });
    if (accounts.created.length) {
      console.log(`\nAccounts to log in with: ${accounts.created.join(', ')}`);
      if (config.SEED_PASSWORD) console.log('Their password is the one in SEED_PASSWORD.');
      else console.log(`Their password (shown only this once): ${accounts.password}`);
    } else {
      console.log('\nThe demo accounts (admin@picket.test, organiser1@picket.test, organiser2@picket.test) were there already; their passwords are unchanged.');
    }
    console.log(`Open ${config.BASE_URL} (npm start) and log in as admin@picket.test.`);
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
