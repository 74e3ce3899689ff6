// npm run migrate: brings the database up to date (npm start does this too).
import { cliContext } from './context';

cliContext()
  .then(async ({ database }) => {
    console.log('The database is up to date.');
    await database.close();
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
