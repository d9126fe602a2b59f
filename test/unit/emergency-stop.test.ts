import { describe, expect, it } from 'vitest';
import { emergencyStopMessage, stopBlocks, type EmergencyStop } from '../../src/domain/session/emergency-stop';

const stop: EmergencyStop = { id: 's1', scope: 'all', reason: '不正アクセスの疑い', byName: '鈴木 一郎', at: '2026-11-24T02:00:00.000Z' };

describe('emergency stop rules', () => {
  it('keeps counter operators out; the manager and the administrator may sign in to lift it', () => {
    expect(stopBlocks(stop, 'operator')).toBe(true);
    expect(stopBlocks(stop, 'manager')).toBe(false);
    expect(stopBlocks(stop, 'sysadmin')).toBe(false);
    expect(stopBlocks(null, 'operator')).toBe(false);
    expect(stopBlocks(undefined, 'operator')).toBe(false);
  });

  it('says where, why and who lifts it', () => {
    expect(emergencyStopMessage(stop)).toBe('緊急停止中のため全端末は使用できません（理由: 不正アクセスの疑い）。解除は情報保護管理者またはシステム管理者が行います。');
    expect(emergencyStopMessage({ ...stop, scope: 'terminal' })).toContain('この端末');
  });
});
