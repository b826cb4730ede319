// Labelled corpus (ours): functions named vuln_* build SQL text from a run-time value (injection
// possible); safe_* do not (Sequelize replacements/bind and model where-objects, knex query
// builder and ?/?? bindings, TypeORM parameters, Prisma $queryRaw / Prisma.sql tagged templates,
// slonik / postgres.js / sql-template-strings sql`` tags, which all send values as parameters).
// Shapes taken from TypeScript services on these libraries. Scored per function by
// bench/scan_eval; it only has to be valid TypeScript, not to type-check against the packages.
import { Op, QueryTypes, Sequelize } from 'sequelize';
import { Knex } from 'knex';
import { DataSource, Repository } from 'typeorm';
import { Prisma, PrismaClient } from '@prisma/client';
import { createPool, sql, DatabasePool } from 'slonik';
import postgres from 'postgres';
import SQL from 'sql-template-strings';
import type { Request, Response } from 'express';

interface UserRow {
  id: number;
  email: string;
  name: string;
}

declare const sequelize: Sequelize;
declare const knex: Knex;
declare const dataSource: DataSource;
declare const prisma: PrismaClient;
declare const slonikPool: DatabasePool;
declare const User: any;
declare const userRepository: Repository<UserRow>;
declare const sqliteDb: { get(query: unknown): Promise<unknown> };

const psql = postgres({ host: 'localhost', database: 'app' });

export async function vuln_sequelize_query_template(req: Request, res: Response): Promise<void> {
  const users = await sequelize.query(`SELECT * FROM users WHERE name = '${req.query.name}'`, {
    type: QueryTypes.SELECT,
  });
  res.json(users);
}

export async function safe_sequelize_replacements(req: Request, res: Response): Promise<void> {
  const users = await sequelize.query('SELECT * FROM users WHERE name = :name AND status = :status', {
    replacements: { name: req.query.name, status: 'active' },
    type: QueryTypes.SELECT,
  });
  res.json(users);
}

export async function vuln_sequelize_literal_where(status: string): Promise<UserRow[]> {
  return User.findAll({ where: sequelize.literal(`status = '${status}'`) });
}

export async function safe_sequelize_model_like(term: string): Promise<UserRow[]> {
  return User.findAll({ where: { name: { [Op.iLike]: `%${term}%` } }, order: [['created_at', 'DESC']] });
}

export async function vuln_knex_raw_template(id: string): Promise<UserRow[]> {
  const result = await knex.raw(`SELECT * FROM users WHERE id = ${id}`);
  return result.rows;
}

export async function safe_knex_raw_bindings(column: string, value: string): Promise<UserRow[]> {
  const result = await knex.raw('SELECT * FROM users WHERE ?? = ?', [column, value]);
  return result.rows;
}

export async function vuln_knex_where_raw_concat(name: string): Promise<UserRow[]> {
  return knex('users').whereRaw("name = '" + name + "'").select('*');
}

export async function safe_knex_builder(email: string, ids: number[]): Promise<UserRow[]> {
  return knex('users').where({ email }).orWhereIn('id', ids).select('id', 'email', 'name');
}

export async function vuln_knex_order_by_raw(req: Request): Promise<UserRow[]> {
  const sort = String(req.query.sort);
  return knex('users').select('*').orderByRaw(sort);
}

export async function safe_sequelize_bind(email: string): Promise<unknown> {
  return sequelize.query('SELECT * FROM users WHERE email = $1', { bind: [email], type: QueryTypes.SELECT });
}

export async function vuln_typeorm_query(email: string): Promise<UserRow[]> {
  return dataSource.query(`SELECT * FROM users WHERE email = '${email}'`);
}

export async function safe_typeorm_query_params(email: string): Promise<UserRow[]> {
  return dataSource.query('SELECT * FROM users WHERE email = $1', [email]);
}

export async function vuln_typeorm_query_builder_where(name: string): Promise<UserRow[]> {
  return userRepository
    .createQueryBuilder('u')
    .where(`u.name = '${name}'`)
    .getMany();
}

export async function safe_typeorm_query_builder_params(name: string): Promise<UserRow[]> {
  return userRepository
    .createQueryBuilder('u')
    .where('u.name = :name', { name })
    .orderBy('u.created_at', 'DESC')
    .getMany();
}

export async function vuln_prisma_query_raw_unsafe(email: string): Promise<UserRow[]> {
  return prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = '${email}'`);
}

export async function safe_prisma_query_raw_tagged(email: string): Promise<UserRow[]> {
  return prisma.$queryRaw<UserRow[]>`SELECT * FROM "User" WHERE email = ${email}`;
}

export async function vuln_prisma_execute_raw_unsafe(id: string, role: string): Promise<number> {
  return prisma.$executeRawUnsafe('UPDATE "User" SET role = \'' + role + '\' WHERE id = ' + id);
}

export async function safe_prisma_query_raw_unsafe_params(email: string): Promise<UserRow[]> {
  return prisma.$queryRawUnsafe('SELECT * FROM "User" WHERE email = $1', email);
}

export async function vuln_postgres_js_unsafe(name: string): Promise<unknown> {
  return psql.unsafe(`SELECT * FROM users WHERE name = '${name}'`);
}

export async function safe_prisma_sql_join(ids: number[], status: string): Promise<UserRow[]> {
  const where = Prisma.sql`WHERE id IN (${Prisma.join(ids)}) AND status = ${status}`;
  return prisma.$queryRaw<UserRow[]>(Prisma.sql`SELECT id, email FROM "User" ${where}`);
}

export async function vuln_sequelize_partial_replacements(table: string, id: string): Promise<unknown> {
  return sequelize.query(`SELECT * FROM ${table} WHERE id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
}

export async function safe_slonik_sql_tag(id: number, email: string): Promise<unknown> {
  return slonikPool.query(sql`SELECT id, name FROM users WHERE id = ${id} AND email = ${email}`);
}

export async function safe_postgres_js_tag(name: string): Promise<unknown> {
  return psql`SELECT * FROM users WHERE name = ${name}`;
}

export async function safe_sql_template_strings(name: string): Promise<unknown> {
  const query = SQL`SELECT * FROM users WHERE name = ${name}`;
  query.append(SQL` AND active = ${true}`);
  return sqliteDb.get(query);
}

export class AccountService {
  constructor(private readonly client: PrismaClient) {}

  async vuln_find_accounts_by_owner(owner: string): Promise<unknown> {
    let query = 'SELECT * FROM accounts';
    query += " WHERE owner = '" + owner + "'";
    return this.client.$queryRawUnsafe(query);
  }

  async safe_find_accounts_by_owner(owner: string): Promise<unknown> {
    return this.client.$queryRaw`SELECT * FROM accounts WHERE owner = ${owner}`;
  }
}
