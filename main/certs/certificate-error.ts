// A certificate or key Berth cannot use, with a message for the user. Its own file so the control
// layer's error mapping can recognise it without loading the certificate code (and node-forge).
export class CertificateError extends Error {}
