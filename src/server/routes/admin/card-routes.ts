// Operator cards: list, issue from the card's certificate, revoke at once (src/server/admin/cards.ts).
import type { FastifyInstance } from 'fastify';
import { IssueCardRequestSchema, RevokeCardRequestSchema } from '../../../shared/admin-api';
import { issueCard, revokeOperatorCard } from '../../admin/cards';
import { adminCard } from '../../admin/roster-report';
import { listCards } from '../../store/cards';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

export function registerCardRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/cards', {
    config: { adminAction: 'cards.view' },
    schema: { summary: 'Every operator card (the card ledger\'s cards), revoked ones too', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.cards, ...READ_ERRORS } },
    handler: async (request) => {
      const cards = listCards(db).map(adminCard);
      recordAdminView(context, adminOf(request), 'cards.view', { cards: cards.length });
      return { cards };
    },
  });

  scope.post('/cards', {
    config: { adminAction: 'cards.issue' },
    schema: {
      summary: 'Issue a card to an operator from the certificate read off it (one active card per person)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.issueCard,
      response: { 200: S.card, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(IssueCardRequestSchema, request.body);
      const admin = adminOf(request);
      const card = issueCard(db, {
        operatorId: body.operatorId,
        certificateDer: new Uint8Array(Buffer.from(body.certificate, 'base64')),
        reason: body.reason,
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return { card: adminCard(card) };
    },
  });

  scope.post('/cards/:keyId/revoke', {
    config: { adminAction: 'cards.revoke' },
    schema: {
      summary: 'Revoke a card at once (lost, stolen, broken, other): every terminal refuses it from its next roster fetch',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.cardParams,
      body: S.revokeCard,
      response: { 200: S.card, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { keyId } = request.params as { keyId: string };
      const body = parseAdminBody(RevokeCardRequestSchema, request.body);
      const admin = adminOf(request);
      const card = revokeOperatorCard(db, {
        keyId,
        reason: body.reason,
        ...(body.note === undefined ? {} : { note: body.note }),
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return { card: adminCard(card) };
    },
  });
}
