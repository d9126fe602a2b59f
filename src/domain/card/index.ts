// Card protocol layer (pure): BER-TLV, APDUs, the PIV card-authentication profile.
export * from './fault';
export * from './bytes';
export * from './tlv';
export * from './apdu';
export * from './piv';
