// Home: the registry's state and counts, then its settings, each card applied on its own.
import { useEffect } from 'react';
import { useCall } from '../../api/hooks';
import { useRegistryStatus } from '../../api/status';
import { Loading } from '../../components/Card';
import { ErrorNotice } from '../../components/Notice';
import { AuthCard } from './AuthCard';
import { GeneralCard } from './GeneralCard';
import { ImportConfigCard } from './ImportConfigCard';
import { PreferencesCard } from './PreferencesCard';
import { ShareCard } from './ShareCard';
import { ProxyCard } from './ProxyCard';
import { StatsCard } from './StatsCard';
import { StatusCard } from './StatusCard';
import { TlsCard } from './TlsCard';
import { WarmCard } from './WarmCard';
import { useSettings } from './use-settings';

export function RegistryPage() {
  const { revision } = useRegistryStatus();
  const overview = useCall('registry.overview', {}, { refreshKey: revision });
  const { settings, error, apply, applied } = useSettings();
  const { reload } = overview;

  // Counts and the proxy hit rate change with every push and pull: refresh while visible.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, 10_000);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <div className="page">
      <h1>Home</h1>
      <StatusCard overview={overview.data} dataDir={settings?.dataDir} />
      <StatsCard overview={overview.data} />
      <ErrorNotice error={error ?? overview.error} />
      {settings ? (
        <>
          <ShareCard settings={settings} apply={apply} />
          <AuthCard auth={settings.auth} apply={apply} />
          <TlsCard tls={settings.tls} apply={apply} />
          <ProxyCard proxy={settings.proxy} apply={apply} />
          <WarmCard refreshKey={revision} />
          <GeneralCard settings={settings} apply={apply} />
          <ImportConfigCard applied={applied} />
          <PreferencesCard />
        </>
      ) : error ? null : (
        <Loading what="settings" />
      )}
    </div>
  );
}
