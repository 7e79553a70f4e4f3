// Entry for the TypeORM CLI (migration:generate / migration:run): the data source named by PYCHAT_DB_URL.
import { loadConfig } from '../config/config';
import { createDataSource } from './data-source';

export default createDataSource(loadConfig().db);
